using System.Buffers.Binary;
using System.IO.Compression;

namespace Coordination.BrowserTests.Support;

/// <summary>
/// Each screen's screenshot, kept as a test artifact (<c>CONSOLE_SCREENSHOTS</c>, or TestResults/console-screenshots
/// beside the test assembly) and checked to show something: decoded, its pixels must vary.
/// </summary>
public static class Screenshots
{
    public static string Folder { get; } =
        Directory
            .CreateDirectory(
                Environment.GetEnvironmentVariable("CONSOLE_SCREENSHOTS") is { Length: > 0 } configured
                    ? configured
                    : Path.Combine(AppContext.BaseDirectory, "TestResults", "console-screenshots")
            )
            .FullName;

    public static string PathOf(string name) => Path.Combine(Folder, name + ".png");

    /// <summary>Luminance statistics of a PNG: a blank (one-colour) page has a standard deviation near 0.</summary>
    public static (double StandardDeviation, int DistinctColours, int Width, int Height) Measure(byte[] png)
    {
        var (width, height, pixels, channels) = Decode(png);
        double sum = 0,
            sumSquares = 0;
        var colours = new HashSet<int>();
        for (var i = 0; i < width * height; i++)
        {
            var o = i * channels;
            int r = pixels[o],
                g = pixels[o + 1],
                b = pixels[o + 2];
            var y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
            sum += y;
            sumSquares += y * y;
            if (colours.Count < 100_000)
                colours.Add(r << 16 | g << 8 | b);
        }
        var n = (double)width * height;
        var mean = sum / n;
        return (Math.Sqrt(Math.Max(0, sumSquares / n - mean * mean)), colours.Count, width, height);
    }

    /// <summary>A minimal PNG decoder for what Chromium writes: 8 bits per channel, RGB or RGBA, not interlaced.</summary>
    public static (int Width, int Height, byte[] Pixels, int Channels) Decode(byte[] png)
    {
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (!png.AsSpan(0, 8).SequenceEqual(signature))
            throw new InvalidDataException("not a PNG");
        int width = 0,
            height = 0,
            channels = 0;
        using var idat = new MemoryStream();
        for (var at = 8; at < png.Length; )
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                if (data[8] != 8 || data[12] != 0)
                    throw new InvalidDataException("only 8-bit, non-interlaced PNGs");
                channels = data[9] switch
                {
                    2 => 3,
                    6 => 4,
                    _ => throw new InvalidDataException($"colour type {data[9]} not handled"),
                };
            }
            else if (type == "IDAT")
                idat.Write(data);
            else if (type == "IEND")
                break;
            at += 12 + length;
        }
        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
            z.CopyTo(inflated);
        var raw = inflated.ToArray();
        var stride = width * channels;
        var pixels = new byte[height * stride];
        for (var row = 0; row < height; row++)
        {
            var filter = raw[row * (stride + 1)];
            var source = raw.AsSpan(row * (stride + 1) + 1, stride);
            var line = pixels.AsSpan(row * stride, stride);
            var previous = row > 0 ? pixels.AsSpan((row - 1) * stride, stride) : new byte[stride];
            for (var i = 0; i < stride; i++)
            {
                int left = i >= channels ? line[i - channels] : 0,
                    up = previous[i],
                    upLeft = i >= channels ? previous[i - channels] : 0;
                line[i] = (byte)(
                    source[i]
                    + filter switch
                    {
                        0 => 0,
                        1 => left,
                        2 => up,
                        3 => (left + up) / 2,
                        4 => Paeth(left, up, upLeft),
                        _ => throw new InvalidDataException($"filter {filter}"),
                    }
                );
            }
        }
        return (width, height, pixels, channels);
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a),
            pb = Math.Abs(p - b),
            pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a
            : pb <= pc ? b
            : c;
    }
}
