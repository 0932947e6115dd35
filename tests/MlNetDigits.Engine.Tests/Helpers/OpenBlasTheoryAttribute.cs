using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Tests.Helpers;

/// <summary>A theory that is reported as skipped (not passed) where libopenblas.so.0 cannot be loaded.</summary>
public sealed class OpenBlasTheoryAttribute : TheoryAttribute
{
    public OpenBlasTheoryAttribute()
    {
        if (!Kernels.OpenBlasAvailable)
            Skip = "libopenblas.so.0 is not installed (Debian: libopenblas0-pthread).";
    }
}
