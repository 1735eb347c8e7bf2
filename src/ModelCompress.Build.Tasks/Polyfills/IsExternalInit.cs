#if !NET
namespace System.Runtime.CompilerServices;

/// <summary>
/// Lets the compiler emit init-only setters (records) for .NET Framework, whose base library lacks this marker type;
/// internal, so it never clashes with another assembly's.
/// </summary>
internal static class IsExternalInit
{
}
#endif
