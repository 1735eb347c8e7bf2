using ModelCompress.Recipe;

namespace ModelCompress.Tests.Recipe;

public sealed class RecipeTemplateTests : RecipeTests
{
    [Fact]
    public void The_starter_without_data_loads_and_uses_dynamic_quantization()
    {
        var yaml = RecipeTemplate.Create("m", "models/m.onnx", RecipeTemplateHints.None);

        var recipe = Project.LoadValid(yaml);
        var m = Assert.Single(recipe.Models);
        Assert.Null(m.Calibration);
        Assert.Null(m.Verify);
        Assert.Equal(QuantizeMode.Dynamic, Assert.IsType<QuantizeStep>(Assert.Single(m.Steps)).Mode);
        Assert.Contains("# calibration:", yaml, StringComparison.Ordinal);
        Assert.Contains("# verify:", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void The_starter_with_data_loads_with_smoothquant_static_int8_and_an_accuracy_gate()
    {
        var yaml = RecipeTemplate.Create("classifier", "models/m.onnx", new RecipeTemplateHints
        {
            CalibrationData = "data/calib.npz",
            Input = "pixels",
            VerifyData = "data/val.npz",
            Labels = "data/labels.npy",
        });

        var m = Project.LoadValid(yaml).Models[0];
        Assert.Equal("classifier", m.Name);
        Assert.Equal("pixels", m.Calibration!.Data.Input);
        Assert.Equal(["smoothquant", "quantize"], m.Steps.Select(s => s.Kind));
        Assert.Equal(QuantizeMode.Static, ((QuantizeStep)m.Steps[1]).Mode);
        Assert.Equal([VerifyMetric.Top1Agreement, VerifyMetric.Accuracy], m.Verify!.Thresholds.Select(t => t.Metric));
        Assert.Equal(Project.Full("data/labels.npy"), m.Verify.LabelsPath);
    }

    [Fact]
    public void The_starter_for_a_language_model_checks_perplexity_on_text()
    {
        var yaml = RecipeTemplate.Create("lm", "models/m.onnx", new RecipeTemplateHints
        {
            CalibrationData = "data/train.txt",
            Tokenizer = "tok512.bin",
            SeqLen = 256,
            VerifyData = "data/valid.txt",
        });

        var m = Project.LoadValid(yaml).Models[0];
        Assert.Equal((TokenizerKind.Llama2C, (int?)256), (m.Calibration!.Data.Tokenizer, m.Calibration.Data.SeqLen));
        var t = Assert.Single(m.Verify!.Thresholds);
        Assert.Equal((VerifyMetric.Perplexity, (double?)0.05), (t.Metric, t.MaxIncrease));
        Assert.Equal(TokenizerKind.Llama2C, m.Verify.Data.Tokenizer);
    }

    [Fact]
    public void Paths_with_quotes_and_spaces_survive_the_round_trip()
    {
        Project.Touch("models/bob's model.onnx");

        var m = Project.LoadValid(RecipeTemplate.Create("bob", "models/bob's model.onnx", RecipeTemplateHints.None)).Models[0];

        Assert.Equal(Project.Full("models/bob's model.onnx"), m.SourcePath);
    }

    [Theory]
    [InlineData("my model.onnx", "my-model")]
    [InlineData("mnist-8.onnx", "mnist-8")]
    [InlineData("../x/ch_PP-OCRv4_rec_infer.onnx", "ch_PP-OCRv4_rec_infer")]
    [InlineData("模型.onnx", "model")]
    public void Model_names_are_suggested_from_file_names(string file, string expected)
    {
        Assert.Equal(expected, RecipeTemplate.SuggestModelName(file));
        Assert.True(RecipeTemplate.IsValidModelName(expected));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("..")]
    [InlineData("x/y")]
    public void Invalid_model_names_are_refused(string name)
    {
        Assert.False(RecipeTemplate.IsValidModelName(name));
        Assert.Throws<ArgumentException>(() => RecipeTemplate.Create(name, "models/m.onnx", RecipeTemplateHints.None));
    }
}
