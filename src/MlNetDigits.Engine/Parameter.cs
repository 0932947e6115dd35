namespace MlNetDigits.Engine;

/// <summary>A learnable tensor with its gradient, named as in a PyTorch state dictionary ("0.weight", "3.bias").</summary>
public sealed class Parameter
{
    public Parameter(string name, Tensor value)
    {
        Name = name;
        Value = value;
        Grad = Tensor.Zeros(value.Device, value.Shape);
    }

    public string Name { get; }

    public Tensor Value { get; }

    /// <summary>The gradient of the loss with respect to <see cref="Value"/>, where Value lives; layers accumulate into it in backward.</summary>
    public Tensor Grad { get; }

    public override string ToString() => $"{Name} {Value}";
}
