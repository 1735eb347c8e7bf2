// Kernels stackalloc scratch tiles and never read them before writing; zero-filling them is wasted work in the
// hot paths, so the whole module skips it. Any buffer that must start at zero is cleared explicitly.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
