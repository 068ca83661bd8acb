import { chartGeometry } from "./chart-geometry";
import type { ChartSeries } from "./series";

const BOX = { width: 720, height: 240, margin: { top: 12, right: 16, bottom: 28, left: 48 } };

/** On hand and available as step lines (SVG, no library), with the low-stock threshold dashed. */
export function StockChart({ series, threshold }: { series: ChartSeries; threshold: number }) {
  const g = chartGeometry(series, BOX, { threshold, offsetMinutes: -new Date().getTimezoneOffset() });
  const { plot } = g;
  const empty = series.t.length === 0;
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${BOX.width} ${BOX.height}`}
        role="img"
        aria-label="On hand and available over the last 7 days"
        data-points={series.t.length}
      >
        {g.yTicks.map((tick) => (
          <g key={`y${tick.label}`}>
            <line class="grid" x1={plot.left} x2={plot.right} y1={tick.at} y2={tick.at} />
            <text class="tick" x={plot.left - 6} y={tick.at} text-anchor="end" dominant-baseline="middle">
              {tick.label}
            </text>
          </g>
        ))}
        {g.xTicks.map((tick) => (
          <text key={`x${tick.at}`} class="tick" x={tick.at} y={plot.bottom + 18} text-anchor="middle">
            {tick.label}
          </text>
        ))}
        <line class="axis" x1={plot.left} x2={plot.right} y1={g.zeroY} y2={g.zeroY} />
        {g.thresholdY !== null && (
          <line class="threshold" x1={plot.left} x2={plot.right} y1={g.thresholdY} y2={g.thresholdY}>
            <title>Low-stock threshold: {threshold}</title>
          </line>
        )}
        <path class="line-onhand" d={g.onHandPath} />
        <path class="line-available" d={g.availablePath} />
        {empty && (
          <text class="tick" x={(plot.left + plot.right) / 2} y={(plot.top + plot.bottom) / 2} text-anchor="middle">
            No changes recorded in the last 7 days
          </text>
        )}
      </svg>
      <figcaption>
        <span class="key key-onhand">On hand</span>
        <span class="key key-available">Available</span>
        {threshold > 0 && <span class="key key-threshold">Low-stock threshold ({threshold})</span>}
      </figcaption>
    </figure>
  );
}
