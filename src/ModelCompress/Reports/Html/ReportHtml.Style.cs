namespace ModelCompress.Reports.Html;

/// <summary>The page's inline style sheet.</summary>
public static partial class ReportHtml
{
    private const string Css = """
        :root { --fg: #1f2933; --muted: #616e7c; --line: #d9e2ec; --pass: #2f8f4e; --fail: #c53030; --bg: #ffffff; --card: #f7f9fb; }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        main { max-width: 1140px; margin: 0 auto; padding: 24px 28px 48px; }
        h1 { font-size: 24px; margin: 0 0 4px; }
        h2 { font-size: 19px; margin: 28px 0 4px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
        h3 { font-size: 15px; margin: 18px 0 6px; }
        code { font: 12px/1.3 ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; background: #eef2f6; padding: 1px 4px; border-radius: 3px; }
        .meta, .note { color: var(--muted); margin: 2px 0 8px; }
        .note { font-size: 12.5px; }
        header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; border-bottom: 2px solid var(--fg); padding-bottom: 10px; }
        header h1 { flex: 1 0 auto; }
        header .meta { flex-basis: 100%; order: 3; }
        .badge { display: inline-block; font-size: 12px; font-weight: 600; padding: 2px 9px; border-radius: 11px; vertical-align: middle; color: #fff; }
        .badge.big { font-size: 15px; padding: 4px 14px; border-radius: 14px; }
        .badge.pass { background: var(--pass); }
        .badge.fail { background: var(--fail); }
        .badge.none { background: var(--muted); }
        .pass-text { color: var(--pass); font-weight: 600; }
        .fail-text { color: var(--fail); font-weight: 700; }
        .grid { display: flex; flex-wrap: wrap; gap: 16px; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 4px 14px 10px; flex: 1 1 440px; }
        table { border-collapse: collapse; margin: 4px 0 10px; font-size: 13px; }
        th, td { text-align: left; padding: 3px 10px 3px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-weight: 600; color: var(--muted); background: #f0f4f8; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tr.bad td { background: #fff1f1; }
        tr.float td { color: var(--muted); }
        svg.chart { display: block; max-width: 100%; height: auto; margin: 4px 0 8px; }
        svg.defs { position: absolute; }
        svg text { font: 12px ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; fill: var(--fg); }
        svg text.name { text-anchor: end; }
        svg text.tick { text-anchor: middle; fill: var(--muted); font-size: 11px; }
        svg text.note { fill: var(--muted); font-family: system-ui, sans-serif; font-size: 12.5px; }
        svg text.lbl { font-family: system-ui, sans-serif; font-size: 13px; }
        svg line.grid { stroke: var(--line); stroke-width: 1; }
        .verdict p { margin: 6px 0 10px; padding: 7px 12px; border-left: 4px solid var(--fail); background: #fff1f1; font-size: 13px; word-break: break-word; }
        .verdict p.warning { border-left-color: #d69e2e; background: #fdf6e3; }
        .diagnostics li { margin: 3px 0; }
        .diagnostics li.error code { background: #fde8e8; }
        .diagnostics li.warning code { background: #fdf3dc; }
        /* Long paths and diagnostics may wrap anywhere; names in table cells (metrics, layers) never break. */
        .meta code, .diagnostics code, p code { word-break: break-word; }
        td code, th { white-space: nowrap; }
        table.thresholds td { white-space: nowrap; }
        .timings { margin-top: 36px; border-top: 3px double var(--line); color: var(--muted); }
        .timings h2 { border: 0; }
        .timings small { font-weight: normal; font-size: 12px; }

        """;
}
