using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Tests.Backends.Gpu;

/// <summary>
/// Every GPU kernel compiles to PTX for the H200's architecture, offline: the CPU accelerator runs any .NET code, so a
/// kernel using something ILGPU cannot translate for CUDA would pass every other test and fail only on a GPU.
/// </summary>
public sealed class GpuKernelCompilationTests
{
    public static TheoryData<string> KernelNames()
    {
        var data = new TheoryData<string>();
        foreach (var method in KernelMethods())
            data.Add(method.Name);
        return data;
    }

    private static IEnumerable<MethodInfo> KernelMethods() =>
        typeof(GpuKernels).GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(m => m.Name.EndsWith("Kernel", StringComparison.Ordinal) && m.GetParameters() is [var first, ..] && first.ParameterType.Namespace == "ILGPU")
            .OrderBy(m => m.Name, StringComparer.Ordinal);

    [Fact]
    public void KernelList_CoversTheBackend() => Assert.True(KernelMethods().Count() >= 30, $"found only {KernelMethods().Count()} kernels");

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void Kernel_CompilesToPtxForSm90(string name)
    {
        using var context = Context.Create(b => b.CPU().EnableAlgorithms().Math(MathMode.Default).Optimize(OptimizationLevel.O2));
        var architecture = CudaArchitecture.SM_90;
        var instructionSet = CudaAccelerator.GetInstructionSet(architecture, CudaDriverVersion.FromValue(12040));
        using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, instructionSet, null);
        var method = KernelMethods().Single(m => m.Name == name);
        var entry = EntryPointDescription.FromImplicitlyGroupedKernel(method);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
        Assert.Contains(".entry", compiled.PTXAssembly);
    }
}
