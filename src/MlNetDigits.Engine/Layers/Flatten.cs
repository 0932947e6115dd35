namespace MlNetDigits.Engine.Layers;

/// <summary>Reshapes (N, d1, d2, ...) to (N, d1 * d2 * ...) without copying; the gradient is reshaped back.</summary>
public sealed class Flatten : Layer
{
    private Tensor? _input;     // x: (N, ...)
    private Tensor? _output;    // y: (N, features), a view of x's data
    private Tensor? _inputGrad; // dx: x's shape, a view of dy's data

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank < 1)
            throw ShapeError("(N, ...)", input);
        _input = input;
        int n = input.Shape[0], features = n == 0 ? 0 : input.Length / n;
        if (_output is null || !_output.SharesStorageWith(input) || _output.Shape[0] != n || _output.Shape[1] != features)
            _output = input.Reshape(n, features);
        return _output;
    }

    public override Tensor Backward(Tensor outputGrad)
    {
        CheckOutputGrad(outputGrad, _output);
        if (!ComputeInputGradient)
            return NoGradient;
        if (_inputGrad is null || !_inputGrad.SharesStorageWith(outputGrad) || !_inputGrad.HasShape(_input!.Shape))
            _inputGrad = outputGrad.Reshape(_input!.Shape);
        return _inputGrad;
    }

    public override string ToString() => "Flatten()";
}
