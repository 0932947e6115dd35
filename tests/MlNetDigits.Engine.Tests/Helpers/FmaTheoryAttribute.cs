namespace MlNetDigits.Engine.Tests.Helpers;

/// <summary>A theory that needs fused multiply-add in hardware (bit-for-bit comparisons between vector and scalar code); skipped where it is missing.</summary>
public sealed class FmaTheoryAttribute : TheoryAttribute
{
    public FmaTheoryAttribute()
    {
        if (!System.Runtime.Intrinsics.X86.Fma.IsSupported)
            Skip = "This CPU has no FMA: the managed GEMM's vector and scalar paths round differently.";
    }
}
