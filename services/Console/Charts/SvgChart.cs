using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Coordination.WebConsole.Charts;

public sealed record Series(string Name, string Colour, IReadOnlyList<int> Values);

/// <summary>
/// Bar charts drawn on the server as SVG: nothing to download, no script, and presentation
/// attributes only (the Content-Security-Policy allows no inline style). Each chart names itself
/// for screen readers; the page gives the same figures as a table.
/// </summary>
public static class SvgChart
{
    private const int Width = 720,
        Height = 300,
        Left = 48,
        Right = 16,
        Top = 16,
        Bottom = 56;

    public static IHtmlContent Bars(string id, string title, IReadOnlyList<string> labels, IReadOnlyList<Series> series)
    {
        var max = Math.Max(1, series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max());
        var step = NiceStep(max);
        var top = (int)Math.Ceiling(max / (double)step) * step;
        var plotW = Width - Left - Right;
        var plotH = Height - Top - Bottom;
        var group = plotW / (double)Math.Max(1, labels.Count);
        var bar = group * 0.8 / Math.Max(1, series.Count);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"graphique\" id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-titre\"");
        svg.Append(
            CultureInfo.InvariantCulture,
            $" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" xmlns=\"http://www.w3.org/2000/svg\">"
        );
        svg.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-titre\">{E(title)}</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\" fill=\"#ffffff\"/>");
        for (var v = 0; v <= top; v += step)
        {
            var y = Top + plotH - plotH * v / (double)top;
            svg.Append(
                CultureInfo.InvariantCulture,
                $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#cecece\" stroke-width=\"1\"/>"
            );
            svg.Append(
                CultureInfo.InvariantCulture,
                $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" font-size=\"12\" fill=\"#3a3a3a\">{v}</text>"
            );
        }
        for (var i = 0; i < labels.Count; i++)
        {
            var x0 = Left + group * i + group * 0.1;
            for (var s = 0; s < series.Count; s++)
            {
                var value = series[s].Values[i];
                var h = plotH * value / (double)top;
                var x = x0 + bar * s;
                svg.Append(
                    CultureInfo.InvariantCulture,
                    $"<rect x=\"{x:0.#}\" y=\"{Top + plotH - h:0.#}\" width=\"{Math.Max(1, bar - 2):0.#}\" height=\"{h:0.#}\""
                );
                svg.Append(
                    CultureInfo.InvariantCulture,
                    $" fill=\"{series[s].Colour}\"><title>{E(labels[i])} — {E(series[s].Name)} : {value}</title></rect>"
                );
            }
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + group * i + group / 2:0.#}\" y=\"{Top + plotH + 16}\"");
            svg.Append(CultureInfo.InvariantCulture, $" text-anchor=\"middle\" font-size=\"12\" fill=\"#161616\">{E(labels[i])}</text>");
        }
        svg.Append(
            CultureInfo.InvariantCulture,
            $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Top + plotH}\" y2=\"{Top + plotH}\" stroke=\"#161616\" stroke-width=\"1\"/>"
        );
        var legendX = Left;
        foreach (var s in series)
        {
            svg.Append(
                CultureInfo.InvariantCulture,
                $"<rect x=\"{legendX}\" y=\"{Height - 22}\" width=\"14\" height=\"14\" fill=\"{s.Colour}\"/>"
            );
            svg.Append(
                CultureInfo.InvariantCulture,
                $"<text x=\"{legendX + 20}\" y=\"{Height - 10}\" font-size=\"13\" fill=\"#161616\">{E(s.Name)}</text>"
            );
            legendX += 40 + s.Name.Length * 8;
        }
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    private static int NiceStep(int max) => Math.Max(1, (int)Math.Ceiling(max / 5.0));

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
