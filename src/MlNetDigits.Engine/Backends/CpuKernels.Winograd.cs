using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlNetDigits.Engine.Backends;

// 3x3 stride-1 convolutions by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, 2016): each 2x2 output tile
// comes from a 4x4 input tile through 16 element-wise products instead of 36, so the multiply-adds over channels — the
// bulk of the work — become 16 GEMMs (one per position xi of the 4x4 transformed tile) of 16/36 the size of im2col's:
//
//     U[xi] (Out, C)   = G w G^T           the kernel, transformed once per call
//     V[xi] (C, T)     = B^T d B           each input tile d, T tiles of a group of images
//     M[xi] (Out, T)   = U[xi] V[xi]       16 GEMMs
//     y tile (2x2)     = A^T M A + bias
//
// The backward pass is the exact adjoint of these steps: dM = A dy A^T, dU[xi] += dM[xi] V[xi]^T (inner dimension T:
// long, fast GEMMs), dW = G^T dU G, dV[xi] = U[xi]^T dM[xi], and dx gets B dV B^T of each tile added in (tiles overlap).
// As in the im2col path, images are split across threads in chunks; weight gradients are summed per chunk and the chunk
// sums added in chunk order, so results depend only on the batch size and thread count.
public sealed unsafe partial class CpuKernels
{
    private const int Xi = 16;                     // positions of a transformed 4x4 tile
    private readonly WinogradJob _winograd = new();
    private float[][] _winogradWork = [];          // per worker: even/odd planes, V, dV, M, scratch rows
    private float[] _winogradPartialU = [];        // (chunks, 16, Out, C)

    /// <summary>
    /// False makes 3x3 stride-1 convolutions use im2col + GEMM like the others (for comparisons and tests); the
    /// environment variable MLND_WINOGRAD=0 sets it false for every backend created afterwards.
    /// </summary>
    internal bool UseWinograd { get; set; } = Environment.GetEnvironmentVariable("MLND_WINOGRAD") != "0";

    /// <summary>
    /// The fewest tiles a thread's share of the batch must hold for Winograd through GEMM calls: its 16 GEMMs are
    /// (Out, C) x (C, tiles), and with few tiles they run far below speed (measured: 32x24x25 at 33 GFLOP/s, 32x24x100
    /// at 65). Tests set 0 to force Winograd.
    /// </summary>
    internal int WinogradMinTiles { get; set; } = 100;

    /// <summary>
    /// At most this many tiles (one small image: 25 for the "fast" net's second layer) the forward pass multiplies with an
    /// inline kernel instead (two output channels x four 8-tile vectors in registers): 16 products of 32x24x25 in 9.6 us
    /// against 18.2 us through OpenBLAS calls, which makes one image's layer 24 us by im2col → ≈14 us.
    /// </summary>
    private const int SmallProductTiles = 4 * Lanes;

    /// <summary>
    /// Whether a convolution runs by Winograd F(2x2, 3x3): a 3x3 kernel, stride 1, not the direct one-channel path, and
    /// either enough tiles per thread for the GEMMs (<see cref="WinogradMinTiles"/>) or, forward only, few enough for the
    /// inline product. Fixed by the geometry and thread count, so the same batch size always takes the same path.
    /// </summary>
    internal bool UsesWinograd(ConvGeometry g, bool backward = false)
    {
        if (!UseWinograd || g.Kernel != 3 || g.Stride != 1 || UsesDirectForward(g) || !Avx2.IsSupported || !Fma.IsSupported)
            return false;
        long tiles = (long)((g.OutHeight + 1) / 2) * ((g.OutWidth + 1) / 2);
        long perThread = Math.Max(1, g.Batch / _pool.ChunkCount(g.Batch)) * tiles;
        return perThread >= WinogradMinTiles || (!backward && g.Batch == 1 && tiles <= SmallProductTiles);
    }

    private void WinogradForward(float* x, ConvGeometry g, float* w, int outChannels, float* bias, float* y)
    {
        var layout = new WinogradLayout(g, outChannels, Math.Max(1, g.Batch / _pool.ChunkCount(g.Batch)));
        PrepareWinograd(layout, 0);
        float* u = TransformedKernel(w, outChannels, g.Channels);
        _winograd.Set(this, backward: false, layout, x, u, bias, y, null, null, null);
        RunWinograd(g.Batch);
    }

    // The last kernels transformed, by weight address, each with a copy of the weights it came from. Transforming a
    // kernel (G w G^T for every output/input channel pair) is scalar work: 12 us for the "fast" net's 32x24 kernels,
    // half the layer's time for one image. At inference the weights do not change, so the copy compares equal (about
    // 1 us) and U is reused; in training the first values differ and U is rebuilt in place, allocating nothing.
    private readonly KernelCacheEntry[] _kernelCache = new KernelCacheEntry[8];
    private int _kernelCacheNext;

    private sealed class KernelCacheEntry(nint address, int length, long uLength)
    {
        public nint Address { get; } = address;
        public float[] Weights { get; } = new float[length];
        public float[] U { get; } = GC.AllocateArray<float>((int)uLength, pinned: true);   // pinned: its address is handed out
        public bool Valid { get; set; }
    }

    private float* TransformedKernel(float* w, int outChannels, int channels)
    {
        int length = outChannels * channels * 9;
        long uLength = (long)Xi * outChannels * channels;
        var weights = new ReadOnlySpan<float>(w, length);
        KernelCacheEntry? entry = null;
        foreach (var candidate in _kernelCache)
            if (candidate is not null && candidate.Address == (nint)w && candidate.Weights.Length == length && candidate.U.Length == uLength)
                entry = candidate;
        if (entry is null)
        {
            entry = new KernelCacheEntry((nint)w, length, uLength);
            _kernelCache[_kernelCacheNext] = entry;
            _kernelCacheNext = (_kernelCacheNext + 1) % _kernelCache.Length;
        }
        float* u = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(entry.U));
        // Bytes, not floats: a vectorised comparison (float equality goes element by element, 4 us for 27 KB) and exact
        // (-0 and +0, or two NaNs, would compare equal or unequal as floats).
        if (!entry.Valid || !MemoryMarshal.AsBytes(weights).SequenceEqual(MemoryMarshal.AsBytes(entry.Weights.AsSpan())))
        {
            TransformKernel(w, outChannels, channels, u);
            weights.CopyTo(entry.Weights);
            entry.Valid = true;
        }
        return u;
    }

    private void WinogradBackward(float* x, ConvGeometry g, float* w, int outChannels, float* dy, float* dW, float* dB, float* dx)
    {
        int chunks = _pool.ChunkCount(g.Batch);
        var layout = new WinogradLayout(g, outChannels, Math.Max(1, g.Batch / chunks));
        PrepareWinograd(layout, chunks);
        int uSize = Xi * outChannels * g.Channels;
        float* u = TransformedKernel(w, outChannels, g.Channels);
        fixed (float* partial = _winogradPartialU, partialB = _partialBias)
        {
            _winograd.Set(this, backward: true, layout, x, u, null, dy, dx, partial, partialB);
            RunWinograd(g.Batch);
            // Sum the chunks' dU in chunk order, then dW += G^T dU G; the bias gradient likewise.
            for (int c = 1; c < chunks; c++)
                TensorPrimitives.Add(new ReadOnlySpan<float>(partial, uSize), new ReadOnlySpan<float>(partial + (long)c * uSize, uSize),
                    new Span<float>(partial, uSize));
            TransformKernelGradient(partial, outChannels, g.Channels, dW);
            if (dB != null)
                for (int c = 0; c < chunks; c++)
                    TensorPrimitives.Add(new ReadOnlySpan<float>(dB, outChannels), new ReadOnlySpan<float>(partialB + (long)c * outChannels, outChannels),
                        new Span<float>(dB, outChannels));
        }
    }

    private void RunWinograd(int batch)
    {
        if (Kind == BackendKind.OpenBlas)
            OpenBlas.UseThreads(1);
        _pool.Run(_winograd, batch);
    }

    private void PrepareWinograd(WinogradLayout layout, int chunks)
    {
        if (_winogradWork.Length != Threads)
            _winogradWork = new float[Threads][];
        for (int i = 0; i < Threads; i++)
            if (_winogradWork[i] is null || _winogradWork[i].Length < layout.WorkspaceSize)
                _winogradWork[i] = new float[layout.WorkspaceSize];
        long uSize = (long)Xi * layout.Out * layout.G.Channels;
        if (_winogradPartialU.Length < chunks * uSize)
            _winogradPartialU = new float[chunks * uSize];
        if (_partialBias.Length < chunks * layout.Out)
            _partialBias = new float[chunks * layout.Out];
    }

    // U[xi][o][c] = (G w[o][c] G^T)[xi], G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformKernel(float* w, int outChannels, int channels, float* u)
    {
        long plane = (long)outChannels * channels;
        float* t = stackalloc float[12];
        for (int o = 0; o < outChannels; o++)
            for (int c = 0; c < channels; c++)
            {
                float* k = w + ((long)o * channels + c) * 9;
                for (int j = 0; j < 3; j++)   // rows: t (4, 3) = G k
                {
                    float k0 = k[j], k1 = k[3 + j], k2 = k[6 + j];
                    t[j] = k0;
                    t[3 + j] = 0.5f * (k0 + k1 + k2);
                    t[6 + j] = 0.5f * (k0 - k1 + k2);
                    t[9 + j] = k2;
                }
                long at = (long)o * channels + c;
                for (int i = 0; i < 4; i++)   // columns: U = t G^T
                {
                    float t0 = t[3 * i], t1 = t[3 * i + 1], t2 = t[3 * i + 2];
                    u[(4 * i) * plane + at] = t0;
                    u[(4 * i + 1) * plane + at] = 0.5f * (t0 + t1 + t2);
                    u[(4 * i + 2) * plane + at] = 0.5f * (t0 - t1 + t2);
                    u[(4 * i + 3) * plane + at] = t2;
                }
            }
    }

    // dW[o][c] += G^T dU[o][c] G: the adjoint of TransformKernel.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformKernelGradient(float* du, int outChannels, int channels, float* dW)
    {
        long plane = (long)outChannels * channels;
        float* r = stackalloc float[12];
        for (int o = 0; o < outChannels; o++)
            for (int c = 0; c < channels; c++)
            {
                long at = (long)o * channels + c;
                for (int j = 0; j < 4; j++)   // rows: r (3, 4) = G^T dU
                {
                    float d0 = du[j * plane + at], d1 = du[(4 + j) * plane + at], d2 = du[(8 + j) * plane + at], d3 = du[(12 + j) * plane + at];
                    r[j] = d0 + 0.5f * (d1 + d2);
                    r[4 + j] = 0.5f * (d1 - d2);
                    r[8 + j] = 0.5f * (d1 + d2) + d3;
                }
                float* k = dW + at * 9;
                for (int a = 0; a < 3; a++)   // columns: dW = r G
                {
                    float r0 = r[4 * a], r1 = r[4 * a + 1], r2 = r[4 * a + 2], r3 = r[4 * a + 3];
                    k[3 * a] += r0 + 0.5f * (r1 + r2);
                    k[3 * a + 1] += 0.5f * (r1 - r2);
                    k[3 * a + 2] += 0.5f * (r1 + r2) + r3;
                }
            }
    }

    /// <summary>Sizes of one Winograd convolution: tiles per image, images per GEMM group, and the per-worker workspace.</summary>
    private readonly struct WinogradLayout
    {
        public WinogradLayout(ConvGeometry g, int outChannels, int imagesPerChunk)
        {
            G = g;
            Out = outChannels;
            TilesY = (g.OutHeight + 1) / 2;
            TilesX = (g.OutWidth + 1) / 2;
            PaddedHeight = 2 * TilesY + 2;
            // Groups of about 128 tiles: the GEMMs then run near their large-matrix speed (measured: 32x24x25 at 33 GFLOP/s,
            // 32x24x100 at 65) while V, M and dV stay in the core's L2 cache.
            Images = Math.Clamp((128 + Tiles - 1) / Tiles, 1, imagesPerChunk);
            GroupTiles = Images * Tiles;
        }

        public ConvGeometry G { get; }
        public int Out { get; }
        public int TilesY { get; }
        public int TilesX { get; }
        public int Tiles => TilesY * TilesX;
        public int PaddedHeight { get; }
        public int Images { get; }
        public int GroupTiles { get; }

        /// <summary>Length of a deinterleaved padded row: the even (or odd) columns 0, 2, ..., 2 TilesX + 1.</summary>
        public int Half => TilesX + 1;

        /// <summary>Even or odd columns of a padded plane, with room for a vector read past the end.</summary>
        public long HalfPlane => (long)PaddedHeight * Half + Lanes;

        /// <summary>Leading dimension of the V, M and dV matrices: a vector written past a row's last tile stays in the row.</summary>
        public int Stride => Math.Max(GroupTiles + Lanes, SmallProductTiles);

        public long VSize => (long)Xi * G.Channels * Stride + SmallProductTiles;
        public long MSize => (long)Xi * Out * Stride + SmallProductTiles;
        public long RowSize => 2 * TilesX + 2 * Lanes;
        public long WorkspaceSize => 4 * HalfPlane + 2 * VSize + MSize + 2 * RowSize;
    }

    private const int Lanes = 8;   // Vector256<float>.Count

    private sealed class WinogradJob : IParallelJob
    {
        private CpuKernels _owner = null!;
        private bool _backward;
        private WinogradLayout _l;
        private float* _x, _u, _bias, _y, _dx, _partialU, _partialB;

        public void Set(CpuKernels owner, bool backward, WinogradLayout layout, float* x, float* u, float* bias, float* yOrDy, float* dx,
            float* partialU, float* partialB)
        {
            (_owner, _backward, _l) = (owner, backward, layout);
            _x = x;
            _u = u;
            _bias = bias;
            _y = yOrDy;
            _dx = dx;
            _partialU = partialU;
            _partialB = partialB;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int worker, int chunk, int start, int end)
        {
            var l = _l;
            var g = l.G;
            int channels = g.Channels, outs = l.Out, ld = l.Stride, inPlane = g.Height * g.Width;
            long vPlane = (long)channels * ld, mPlane = (long)outs * ld, uPlane = (long)outs * channels;
            fixed (float* ws = _owner._winogradWork[worker])
            {
                float* even = ws, odd = even + l.HalfPlane, evenNext = odd + l.HalfPlane, oddNext = evenNext + l.HalfPlane;
                float* v = oddNext + l.HalfPlane, dv = v + l.VSize, m = dv + l.VSize;
                float* rows = m + l.MSize;
                float* du = _backward ? _partialU + (long)chunk * Xi * uPlane : null;
                float* db = _backward ? _partialB + (long)chunk * outs : null;
                if (_backward)
                {
                    new Span<float>(du, (int)(Xi * uPlane)).Clear();
                    new Span<float>(db, outs).Clear();
                }
                // Images in order, channels in order: a vector stored past an image's last tile lands on tiles written later.
                for (int first = start; first < end; first += l.Images)
                {
                    int count = Math.Min(l.Images, end - first);
                    int used = count * l.Tiles;      // the last group of a chunk may be smaller
                    for (int i = 0; i < count; i++)
                        for (int c = 0; c < channels; c++)
                            TransformInput(_x + ((long)(first + i) * channels + c) * inPlane, even, odd, v + (long)c * ld + i * l.Tiles, vPlane);
                    if (!_backward)
                    {
                        for (int xi = 0; xi < Xi; xi++)   // M[xi] (Out, T) = U[xi] (Out, C) x V[xi] (C, T)
                        {
                            if (used <= SmallProductTiles)
                                SmallProduct(outs, channels, _u + xi * uPlane, v + xi * vPlane, ld, m + xi * mPlane);
                            else
                                _owner.WorkerGemm(worker, false, false, outs, used, channels, 1f, _u + xi * uPlane, channels, v + xi * vPlane, ld, 0f,
                                    m + xi * mPlane, ld);
                        }
                        for (int i = 0; i < count; i++)
                            for (int o = 0; o < outs; o++)
                                TransformOutput(m + (long)o * ld + i * l.Tiles, mPlane, _bias == null ? 0f : _bias[o],
                                    _y + ((long)(first + i) * outs + o) * g.OutPlane);
                        continue;
                    }
                    for (int i = 0; i < count; i++)
                        for (int o = 0; o < outs; o++)
                        {
                            float* dy = _y + ((long)(first + i) * outs + o) * g.OutPlane;
                            db[o] += TensorPrimitives.Sum(new ReadOnlySpan<float>(dy, g.OutPlane));
                            TransformOutputGradient(dy, m + (long)o * ld + i * l.Tiles, mPlane, rows);
                        }
                    for (int xi = 0; xi < Xi; xi++)       // dU[xi] (Out, C) += dM[xi] (Out, T) x V[xi]^T (T, C)
                        _owner.WorkerGemm(worker, false, true, outs, channels, used, 1f, m + xi * mPlane, ld, v + xi * vPlane, ld, 1f,
                            du + xi * uPlane, channels);
                    if (_dx == null)
                        continue;
                    for (int xi = 0; xi < Xi; xi++)       // dV[xi] (C, T) = U[xi]^T (C, Out) x dM[xi] (Out, T)
                        _owner.WorkerGemm(worker, true, false, channels, used, outs, 1f, _u + xi * uPlane, channels, m + xi * mPlane, ld, 0f,
                            dv + xi * vPlane, ld);
                    for (int i = 0; i < count; i++)
                        for (int c = 0; c < channels; c++)
                            TransformInputGradient(dv + (long)c * ld + i * l.Tiles, vPlane, even, odd, evenNext, oddNext,
                                _dx + ((long)(first + i) * channels + c) * inPlane, rows);
                }
            }
        }

        // m (outs, 32) = u (outs, c) x v (c, 32): all 32 lanes of each row (ld >= 32; lanes past the tiles are junk that
        // nothing reads), two rows of u at a time (the last pair clamped to the last row, which is written twice alike).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void SmallProduct(int outs, int c, float* u, float* v, int ld, float* m)
        {
            for (int o = 0; o < outs; o += 2)
            {
                int o1 = Math.Min(o + 1, outs - 1);
                float* u0 = u + (long)o * c, u1 = u + (long)o1 * c, vr = v;
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
                for (int q = 0; q < c; q++, vr += ld)
                {
                    var v0 = Vector256.Load(vr);
                    var v1 = Vector256.Load(vr + Lanes);
                    var v2 = Vector256.Load(vr + 2 * Lanes);
                    var v3 = Vector256.Load(vr + 3 * Lanes);
                    var w = Vector256.Create(u0[q]);
                    a0 = Vector256.FusedMultiplyAdd(w, v0, a0);
                    a1 = Vector256.FusedMultiplyAdd(w, v1, a1);
                    a2 = Vector256.FusedMultiplyAdd(w, v2, a2);
                    a3 = Vector256.FusedMultiplyAdd(w, v3, a3);
                    w = Vector256.Create(u1[q]);
                    b0 = Vector256.FusedMultiplyAdd(w, v0, b0);
                    b1 = Vector256.FusedMultiplyAdd(w, v1, b1);
                    b2 = Vector256.FusedMultiplyAdd(w, v2, b2);
                    b3 = Vector256.FusedMultiplyAdd(w, v3, b3);
                }
                float* m0 = m + (long)o * ld, m1 = m + (long)o1 * ld;
                b0.Store(m1);
                b1.Store(m1 + Lanes);
                b2.Store(m1 + 2 * Lanes);
                b3.Store(m1 + 3 * Lanes);
                a0.Store(m0);
                a1.Store(m0 + Lanes);
                a2.Store(m0 + 2 * Lanes);
                a3.Store(m0 + 3 * Lanes);
            }
        }

        // Lanes [0, valid) set: the tiles of a row that a vector starting at tile tx0 really covers.
        private static Vector256<float> ValidLanes(int valid) =>
            Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(valid)).AsSingle();

        // One channel of one image (H, W) -> its tiles' V = B^T d B at v[xi * vPlane + ty * TilesX + tx], eight tiles of a row
        // at a time. The plane is first split into its even and odd columns, zero-bordered (padding, and the right/bottom
        // tiles of an odd output size): tile tx then reads columns tx and tx + 1 of both, so every read is a plain vector.
        // B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]].
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void TransformInput(float* x, float* even, float* odd, float* v, long vPlane)
        {
            var l = _l;
            int half = l.Half;
            Deinterleave(x, even, odd);
            for (int ty = 0; ty < l.TilesY; ty++)
            {
                float* e0 = even + (long)2 * ty * half, e1 = e0 + half, e2 = e1 + half, e3 = e2 + half;
                float* o0 = odd + (long)2 * ty * half, o1 = o0 + half, o2 = o1 + half, o3 = o2 + half;
                float* dst = v + ty * l.TilesX;
                for (int tx = 0; tx < l.TilesX; tx += Lanes)
                {
                    // Columns 2tx, 2tx+1, 2tx+2, 2tx+3 of padded row r are er[tx], or[tx], er[tx+1], or[tx+1].
                    Rows(e0 + tx, e1 + tx, e2 + tx, e3 + tx, out var a0, out var a1, out var a2, out var a3);           // B^T d, column 2tx
                    Rows(o0 + tx, o1 + tx, o2 + tx, o3 + tx, out var b0, out var b1, out var b2, out var b3);           // column 2tx+1
                    Rows(e0 + tx + 1, e1 + tx + 1, e2 + tx + 1, e3 + tx + 1, out var c0, out var c1, out var c2, out var c3);
                    Rows(o0 + tx + 1, o1 + tx + 1, o2 + tx + 1, o3 + tx + 1, out var d0, out var d1, out var d2, out var d3);
                    float* t = dst + tx;
                    Across(t, vPlane, 0, a0, b0, c0, d0);
                    Across(t, vPlane, 1, a1, b1, c1, d1);
                    Across(t, vPlane, 2, a2, b2, c2, d2);
                    Across(t, vPlane, 3, a3, b3, c3, d3);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Rows(float* r0, float* r1, float* r2, float* r3, out Vector256<float> s0, out Vector256<float> s1,
            out Vector256<float> s2, out Vector256<float> s3)
        {
            var x0 = Vector256.Load(r0);
            var x1 = Vector256.Load(r1);
            var x2 = Vector256.Load(r2);
            var x3 = Vector256.Load(r3);
            s0 = x0 - x2;
            s1 = x1 + x2;
            s2 = x2 - x1;
            s3 = x1 - x3;
        }

        // Row i of (B^T d) B from its four columns a, b, c, d: (a - c, b + c, c - b, b - d).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Across(float* t, long vPlane, int i, Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
        {
            Vector256.Store(a - c, t + (4 * i) * vPlane);
            Vector256.Store(b + c, t + (4 * i + 1) * vPlane);
            Vector256.Store(c - b, t + (4 * i + 2) * vPlane);
            Vector256.Store(b - d, t + (4 * i + 3) * vPlane);
        }

        // x (H, W) -> the even and odd columns of the zero-bordered plane (padding p on the top and left).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Deinterleave(float* x, float* even, float* odd)
        {
            var l = _l;
            var g = l.G;
            int half = l.Half, p = g.Padding;
            new Span<float>(even, (int)l.HalfPlane).Clear();
            new Span<float>(odd, (int)l.HalfPlane).Clear();
            for (int r = 0; r < g.Height; r++)
            {
                long row = (long)(r + p) * half;
                Columns(even + row, odd + row, p, out var first, out var second);
                SplitRow(x + (long)r * g.Width, g.Width, first, second);
            }
        }

        // The adjoint of TransformInput: dx (H, W) = the sum over tiles of B dV B^T. Tile tx adds to padded columns 2tx,
        // 2tx+1 (even[tx], odd[tx]) and 2tx+2, 2tx+3 (even[tx+1], odd[tx+1]); the second pair is accumulated at index tx in
        // evenNext/oddNext and shifted by one when the planes are interleaved back, so every vector read-modify-write is
        // aligned with the previous one (overlapping ones stall on store forwarding). Lanes past a row's last tile add zero.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void TransformInputGradient(float* dv, long vPlane, float* even, float* odd, float* evenNext, float* oddNext, float* dx, float* rows)
        {
            var l = _l;
            var g = l.G;
            int half = l.Half, p = g.Padding;
            new Span<float>(even, (int)(4 * l.HalfPlane)).Clear();   // the four planes are adjacent
            for (int ty = 0; ty < l.TilesY; ty++)
                for (int tx = 0; tx < l.TilesX; tx += Lanes)
                {
                    var valid = ValidLanes(l.TilesX - tx);
                    float* src = dv + ty * l.TilesX + tx;
                    for (int i = 0; i < 4; i++)   // row i of dV, then of dV B^T: columns (v0, v1 - v2 + v3, v1 + v2 - v0, -v3)
                    {
                        var v0 = Vector256.Load(src + (4 * i) * vPlane) & valid;
                        var v1 = Vector256.Load(src + (4 * i + 1) * vPlane) & valid;
                        var v2 = Vector256.Load(src + (4 * i + 2) * vPlane) & valid;
                        var v3 = Vector256.Load(src + (4 * i + 3) * vPlane) & valid;
                        var c0 = v0;
                        var c1 = v1 - v2 + v3;
                        var c2 = v1 + v2 - v0;
                        var c3 = -v3;
                        // B (dV B^T): row i of the middle matrix goes to padded rows 2ty + r with weight B^T[i][r]:
                        // i = 0 -> r0 (+), r2 (-); 1 -> r1, r2 (+, +); 2 -> r1 (-), r2 (+); 3 -> r1 (+), r3 (-).
                        switch (i)
                        {
                            case 0:
                                AddRow(even, odd, evenNext, oddNext, half, 2 * ty, tx, c0, c1, c2, c3);
                                AddRow(even, odd, evenNext, oddNext, half, 2 * ty + 2, tx, -c0, -c1, -c2, -c3);
                                break;
                            case 1:
                                AddRow(even, odd, evenNext, oddNext, half, 2 * ty + 1, tx, c0, c1, c2, c3);
                                AddRow(even, odd, evenNext, oddNext, half, 2 * ty + 2, tx, c0, c1, c2, c3);
                                break;
                            case 2:
                                AddRow(even, odd, evenNext, oddNext, half, 2 * ty + 1, tx, -c0, -c1, -c2, -c3);
                                AddRow(even, odd, evenNext, oddNext, half, 2 * ty + 2, tx, c0, c1, c2, c3);
                                break;
                            default:
                                AddRow(even, odd, evenNext, oddNext, half, 2 * ty + 1, tx, c0, c1, c2, c3);
                                AddRow(even, odd, evenNext, oddNext, half, 2 * ty + 3, tx, -c0, -c1, -c2, -c3);
                                break;
                        }
                    }
                }
            float* e = rows, o = rows + l.RowSize;
            for (int r = 0; r < g.Height; r++)
            {
                long row = (long)(r + p) * half;
                Combine(even + row, evenNext + row, e, half);
                Combine(odd + row, oddNext + row, o, half);
                Columns(e, o, p, out var first, out var second);
                MergeRow(first, second, dx + (long)r * g.Width, g.Width);
            }
        }

        // total[k] = own[k] + next[k - 1]: padded column k of a row from the tiles that start there and the ones before.
        private static void Combine(float* own, float* next, float* total, int half)
        {
            total[0] = own[0];
            int k = 1;
            for (; k + Lanes <= half; k += Lanes)
                Vector256.Store(Vector256.Load(own + k) + Vector256.Load(next + k - 1), total + k);
            for (; k < half; k++)
                total[k] = own[k] + next[k - 1];
        }

        // With padding p, column `col` of the image is padded column col + p: the even and odd columns of the image start at
        // (even[p/2], odd[p/2]) for even p and at (odd[p/2], even[p/2 + 1]) for odd p.
        private static void Columns(float* even, float* odd, int p, out float* first, out float* second)
        {
            first = (p & 1) == 0 ? even + p / 2 : odd + p / 2;
            second = (p & 1) == 0 ? odd + p / 2 : even + p / 2 + 1;
        }

        // dst[2k] = first[k], dst[2k + 1] = second[k] for the width columns of dst.
        private static void MergeRow(float* first, float* second, float* dst, int width)
        {
            for (int k = 0; 2 * k < width; k += Lanes)
                WriteInterleaved(Vector256.Load(first + k), Vector256.Load(second + k), dst + 2 * k, Math.Min(2 * Lanes, width - 2 * k));
        }

        // first[k] = src[2k], second[k] = src[2k + 1] for the width values of src.
        private static void SplitRow(float* src, int width, float* first, float* second)
        {
            int k = 0;
            for (; 2 * k + 2 * Lanes <= width; k += Lanes)
            {
                Split(src + 2 * k, out var a, out var b);
                Vector256.Store(a, first + k);
                Vector256.Store(b, second + k);
            }
            for (; 2 * k + 1 < width; k++)
            {
                first[k] = src[2 * k];
                second[k] = src[2 * k + 1];
            }
            if (2 * k < width)
                first[k] = src[2 * k];
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AddRow(float* even, float* odd, float* evenNext, float* oddNext, int half, int row, int tx,
            Vector256<float> c0, Vector256<float> c1, Vector256<float> c2, Vector256<float> c3)
        {
            long at = (long)row * half + tx;
            Vector256.Store(Vector256.Load(even + at) + c0, even + at);
            Vector256.Store(Vector256.Load(odd + at) + c1, odd + at);
            Vector256.Store(Vector256.Load(evenNext + at) + c2, evenNext + at);
            Vector256.Store(Vector256.Load(oddNext + at) + c3, oddNext + at);
        }

        // One output channel of one image: y (OH, OW) = A^T M A + bias per tile, A^T = [[1, 1, 1, 0], [0, 1, -1, -1]], eight
        // tiles of a row at a time; the two output rows of a tile row are interleaved from (y00, y01) and (y10, y11).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void TransformOutput(float* m, long mPlane, float bias, float* y)
        {
            var l = _l;
            int oh = l.G.OutHeight, ow = l.G.OutWidth;
            var b = Vector256.Create(bias);
            for (int ty = 0; ty < l.TilesY; ty++)
                for (int tx = 0; tx < l.TilesX; tx += Lanes)
                {
                    float* src = m + ty * l.TilesX + tx;
                    Column(src, mPlane, 0, out var t0, out var u0);   // down: (A^T M)[.][j]
                    Column(src, mPlane, 1, out var t1, out var u1);
                    Column(src, mPlane, 2, out var t2, out var u2);
                    Column(src, mPlane, 3, out var t3, out var u3);
                    int ox = 2 * tx, count = Math.Min(2 * Lanes, ow - ox);
                    WriteInterleaved(t0 + t1 + t2 + b, t1 - t2 - t3 + b, y + (long)2 * ty * ow + ox, count);
                    if (2 * ty + 1 < oh)
                        WriteInterleaved(u0 + u1 + u2 + b, u1 - u2 - u3 + b, y + (long)(2 * ty + 1) * ow + ox, count);
                }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Column(float* src, long mPlane, int j, out Vector256<float> top, out Vector256<float> bottom)
        {
            var m0 = Vector256.Load(src + j * mPlane);
            var m1 = Vector256.Load(src + (4 + j) * mPlane);
            var m2 = Vector256.Load(src + (8 + j) * mPlane);
            var m3 = Vector256.Load(src + (12 + j) * mPlane);
            top = m0 + m1 + m2;
            bottom = m1 - m2 - m3;
        }

        // dst[0..count) = a0 b0 a1 b1 ... (count <= 16).
        private static void WriteInterleaved(Vector256<float> a, Vector256<float> b, float* dst, int count)
        {
            var low = Avx.UnpackLow(a, b);     // a0 b0 a1 b1 | a4 b4 a5 b5
            var high = Avx.UnpackHigh(a, b);   // a2 b2 a3 b3 | a6 b6 a7 b7
            var first = Avx.Permute2x128(low, high, 0x20);
            var second = Avx.Permute2x128(low, high, 0x31);
            if (count >= Lanes)
            {
                Vector256.Store(first, dst);
                StorePartial(second, dst + Lanes, count - Lanes);
            }
            else
            {
                StorePartial(first, dst, count);
            }
        }

        // dst[0..count) = v's first count lanes (count <= 8), in pieces of 8, 4, 2 and 1 floats.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StorePartial(Vector256<float> v, float* dst, int count)
        {
            if (count == Lanes)
            {
                Vector256.Store(v, dst);
                return;
            }
            var part = v.GetLower();
            if (count >= 4)
            {
                part.Store(dst);
                part = v.GetUpper();
                dst += 4;
                count -= 4;
            }
            if (count >= 2)
            {
                *(double*)dst = part.AsDouble().ToScalar();
                part = Sse.MoveHighToLow(part, part);
                dst += 2;
                count -= 2;
            }
            if (count == 1)
                *dst = part.ToScalar();
        }

        // The adjoint of TransformOutput: dM = A dy A^T for each tile's 2x2 output gradient (zero outside the output),
        // A = [[1, 0], [1, 1], [1, -1], [0, -1]]. Each pair of dy rows is copied into zero-padded scratch rows and split
        // into even and odd columns, so eight tiles are read as plain vectors.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void TransformOutputGradient(float* dy, float* m, long mPlane, float* rows)
        {
            var l = _l;
            int oh = l.G.OutHeight, ow = l.G.OutWidth;
            float* top = rows, bottom = rows + l.RowSize;
            for (int ty = 0; ty < l.TilesY; ty++)
            {
                new Span<float>(rows, (int)(2 * l.RowSize)).Clear();
                CopyRow(dy + (long)2 * ty * ow, top, ow);
                if (2 * ty + 1 < oh)
                    CopyRow(dy + (long)(2 * ty + 1) * ow, bottom, ow);
                for (int tx = 0; tx < l.TilesX; tx += Lanes)
                {
                    Split(top + 2 * tx, out var g00, out var g01);
                    Split(bottom + 2 * tx, out var g10, out var g11);
                    float* dst = m + ty * l.TilesX + tx;
                    // rows: w = A g (4, 2); then row i of dM = (w0, w0 + w1, w0 - w1, -w1)
                    Store(dst, mPlane, 0, g00, g01);
                    Store(dst, mPlane, 1, g00 + g10, g01 + g11);
                    Store(dst, mPlane, 2, g00 - g10, g01 - g11);
                    Store(dst, mPlane, 3, -g10, -g11);
                }
            }
        }

        // 16 consecutive floats -> the 8 at even positions and the 8 at odd positions, in order.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Split(float* p, out Vector256<float> even, out Vector256<float> odd)
        {
            var a = Vector256.Load(p);
            var b = Vector256.Load(p + Lanes);
            even = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
            odd = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(float* dst, long mPlane, int i, Vector256<float> w0, Vector256<float> w1)
        {
            Vector256.Store(w0, dst + (4 * i) * mPlane);
            Vector256.Store(w0 + w1, dst + (4 * i + 1) * mPlane);
            Vector256.Store(w0 - w1, dst + (4 * i + 2) * mPlane);
            Vector256.Store(-w1, dst + (4 * i + 3) * mPlane);
        }
    }
}
