using ModelCompress.Calibration;
using ModelCompress.Diagnostics;
using ModelCompress.Execution;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Recipe;

namespace ModelCompress.Passes;

/// <summary>
/// <c>distill: { method: layerwise }</c>: layer-by-layer knowledge distillation (ZeroQuant, Yao et al., 2022, §4.2) on
/// the ONNX graph. For each compressed linear layer of the student, in graph order, its remaining free parameters are
/// re-fitted so that, fed with the inputs the compressed student produces at that layer, it reproduces the teacher's
/// output of the same layer on the same calibration samples: Y = X_teacher·W_teacher + b_teacher against
/// X_student·W + b (<see cref="LayerFitProblem"/>). Float and pruned weights get the closed-form masked ridge fit,
/// low-rank factors alternating closed-form fits (<see cref="LayerFit"/>), integer weights and cluster centroids Adam
/// steps (<see cref="GradientFit"/>).
/// <para>
/// Layers are fitted one after another (<see cref="ISequentialPass"/>): a working copy of the student receives each
/// layer's result as soon as it is known, and a layer to compute takes its inputs from that copy, run in ONNX Runtime on
/// the calibration data (<see cref="DistillStep.Rows"/> rows spread evenly over the samples; only that one activation
/// is kept). So each layer sees the student's own upstream errors, after the earlier re-fits. The teacher's inputs are
/// captured at the same rows of the same samples, once, on first need. A layer's key holds its inputs on the model
/// before the step (which depend on every earlier layer's weights, and so on every earlier result), its own
/// parameters, the teacher's weight and bias and a digest of the teacher graph upstream of its input
/// (<see cref="UpstreamDigest"/>): a change re-fits the layers from the changed one on, and the cache look-ups of the
/// report list them.
/// </para>
/// </summary>
public sealed partial class DistillPass : ISequentialPass
{
    private readonly DistillStep _step;
    private readonly CalibrationSettings? _calibration;
    private readonly Dictionary<OnnxNode, DistillTarget> _targets = [];
    private OnnxModel? _teacher;
    private IReadOnlyDictionary<string, LayerInputStatistics>? _teacherRows;
    private string _modelName = string.Empty;
    private OnnxModel? _working;
    private Dictionary<OnnxNode, OnnxNode> _workingNodes = [];
    private int _done;

    /// <summary>Creates the pass for a <c>distill</c> step; <paramref name="calibration"/> is the model's calibration data.</summary>
    public DistillPass(DistillStep step, CalibrationSettings? calibration)
    {
        ArgumentNullException.ThrowIfNull(step);
        _step = step;
        _calibration = calibration;
    }

    /// <inheritdoc />
    public string Name => "distill_layerwise";

    /// <inheritdoc />
    public string SettingsFingerprint => _step.SettingsFingerprint() + "|fit=1";

    /// <inheritdoc />
    public bool RequiresCalibration => true;

    /// <inheritdoc />
    public LayerStatisticsRequest StatisticsRequest => new(false, _step.Rows);

    private string TeacherLabel => _step.TeacherIsSource ? "the source model" : _step.Teacher;

    /// <inheritdoc />
    public IReadOnlyList<PassLayer> FindLayers(OnnxModel model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        _modelName = context.ModelName;
        if (_calibration is null)
        {
            throw context.Error("MC3016", "distill", context.ModelName);
        }

        try
        {
            _teacher = OnnxModel.Load(_step.TeacherPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Onnx.Diagnostics.ModelCompressException)
        {
            throw context.Error("MC4102", context.ModelName, _step.TeacherPath, e.Message);
        }

        _targets.Clear();
        var upstream = new UpstreamDigest(_teacher);
        _working = model.Clone();
        _workingNodes = model.Graph.Nodes.Zip(_working.Graph.Nodes).ToDictionary(p => p.First, p => p.Second);
        _done = 0;
        var layers = new List<PassLayer>();
        foreach (var target in FindTargets(model, _teacher, context))
        {
            _targets[target.Node] = target;
            layers.Add(new PassLayer(
                target.Node, 1, target.ParameterName.Length > 0 ? target.ParameterName : target.Node.Inputs[1], [target.K, target.N], 1, target.Input,
                () => target.Weight, () => target.KeyBytes(upstream.Of(TeacherValue(target)))));
        }

        return layers;
    }

    /// <inheritdoc />
    public byte[] ComputeLayer(PassLayer layer, LayerInputStatistics? statistics, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ct.ThrowIfCancellationRequested();
        var target = _targets[layer.Node];
        // The first layer's inputs are the engine's capture; later ones come from the copy with the earlier re-fits.
        var own = _done == 0 ? statistics : StudentRows(target.Input, ct);
        var student = own?.Rows ?? throw new InvalidOperationException($"Layer '{layer.Name}' needs its captured input rows.");
        var teacherStats = TeacherRows(ct)[target.TeacherInput];
        var rows = own.RowCount;
        if (teacherStats.RowCount != rows || teacherStats.Rows is null)
        {
            throw EngineErrorsAt("MC4103", _modelName, target.Name, rows, teacherStats.RowCount);
        }

        if (target.Patches is not null)
        {
            return FitConv(student, teacherStats.Rows, rows, target).ToBytes();
        }

        var problem = new LayerFitProblem(student, TeacherOutput(teacherStats.Rows, rows, target), rows, target.K, target.N);
        return Fit(problem, target).ToBytes();
    }

    /// <inheritdoc />
    public void LayerDone(LayerOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var t = _targets[outcome.Layer.Node];
        ApplyOne(_working!.Graph, Retarget(t), DistilledLayer.FromBytes(outcome.Result));
        _done++;
    }

    /// <summary>
    /// The teacher value whose upstream keys a layer: its input, or for a Conv (whose input view is its patches) its
    /// output, which covers the Conv's own attributes and kernel too.
    /// </summary>
    private static string TeacherValue(DistillTarget target) =>
        target.Patches is null ? target.TeacherInput : target.TeacherInput[ConvPatches.Prefix.Length..];

    /// <summary>The target with its nodes replaced by the working copy's.</summary>
    private DistillTarget Retarget(DistillTarget t) => t with
    {
        Node = _workingNodes[t.Node],
        ParameterReader = t.ParameterReader is null ? null : _workingNodes[t.ParameterReader],
        BiasReader = t.BiasReader is null ? null : _workingNodes[t.BiasReader],
    };

    private LayerInputStatistics StudentRows(string input, CancellationToken ct) =>
        ActivationStatisticsCollector.Collect(_working!, [input], _calibration!, _modelName, null, ct, StatisticsRequest)[input];

    /// <summary>The teacher's output of the layer on its own captured inputs: Y = X_t·W_t + b_t, [R, N].</summary>
    private static float[] TeacherOutput(float[] x, int rows, DistillTarget target)
    {
        var wt = LayerFitProblem.Transpose(target.TeacherWeight, target.K, target.N);
        var y = LayerFitProblem.Products(x, wt, rows, target.N, target.K);
        if (target.TeacherBias is { } b)
        {
            for (var r = 0; r < rows; r++)
            {
                for (var j = 0; j < target.N; j++)
                {
                    y[(r * target.N) + j] += b[j];
                }
            }
        }

        return y;
    }

    private DistilledLayer Fit(LayerFitProblem p, DistillTarget t)
    {
        var before = p.MeanSquaredError(t.Weight, t.Bias);
        switch (t.Kind)
        {
            case DistillKind.Quantized:
            {
                var (q, bias, b0, after) = GradientFit.Quantized(p, t.Q!, t.Scale!, t.Zero!, t.QMin, t.QMax, t.Bias, _step.Epochs, _step.LearningRate, t.TeacherWeight);
                return new DistilledLayer([.. q.Select(v => (float)v)], [], bias, b0, after);
            }

            case DistillKind.Clustered:
            {
                var (codebook, bias, b0, after) = GradientFit.Codebook(p, t.Clusters!.Codebook, t.Clusters.Indices, t.Bias, _step.Epochs, _step.LearningRate);
                return new DistilledLayer(codebook, [], bias, b0, after);
            }

            case DistillKind.LowRank:
            {
                var (a, b, bias) = LayerFit.LowRank(p, t.A!, t.B!, t.Bias, t.Rank, _step.Epochs);
                var after = p.MeanSquaredError(Product(a, b, t.K, t.Rank, t.N), bias);
                return after < before
                    ? new DistilledLayer(a, b, bias, before, after)
                    : new DistilledLayer(t.A!, t.B!, t.Bias, before, before);
            }

            default:
            {
                // A float weight with zeros keeps them: the pruning mask is fixed, only kept weights move.
                var mask = t.Weight.Any(v => v == 0f) ? t.Weight.Select(v => v != 0f).ToArray() : null;
                var (w, bias) = LayerFit.Ridge(p, t.Weight, t.Bias, mask);
                var after = p.MeanSquaredError(w, bias);
                return after < before
                    ? new DistilledLayer(w, [], bias, before, after)
                    : new DistilledLayer(t.Weight, [], t.Bias, before, before);
            }
        }
    }

    private static float[] Product(float[] a, float[] b, int k, int r, int n) =>
        LayerFitProblem.Products(a, LayerFitProblem.Transpose(b, r, n), k, n, r);

    /// <summary>The teacher's captured inputs of every matched layer, collected once on the same calibration rows.</summary>
    private IReadOnlyDictionary<string, LayerInputStatistics> TeacherRows(CancellationToken ct) =>
        _teacherRows ??= ActivationStatisticsCollector.Collect(
            _teacher!, _targets.Values.Select(t => t.TeacherInput), _calibration!, _modelName, null, ct, StatisticsRequest);

    private static Onnx.Diagnostics.ModelCompressException EngineErrorsAt(string code, params object?[] args) =>
        EngineDiagnostics.Fail(code, null, args);
}
