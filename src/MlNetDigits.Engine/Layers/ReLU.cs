namespace MlNetDigits.Engine.Layers;

/// <summary>Rectified linear unit: y = max(x, 0); dx = dy where y &gt; 0.</summary>
public sealed class ReLU : Layer
{
    private Tensor? _output;    // y: same shape as x
    private Tensor? _inputGrad; // dx: same shape as x

    public override Tensor Forward(Tensor input)
    {
        var output = EnsureLike(ref _output, input);
        Kernels.Relu(input, output);
        return output;
    }

    public override Tensor Backward(Tensor outputGrad)
    {
        CheckOutputGrad(outputGrad, _output);
        if (!ComputeInputGradient)
            return NoGradient;
        var inputGrad = EnsureLike(ref _inputGrad, outputGrad);
        Kernels.ReluBackward(_output!, outputGrad, inputGrad);
        return inputGrad;
    }

    public override string ToString() => "ReLU()";
}
