// Usage over time: a stacked bar chart per day by model, project or key, with cost or tokens, and the totals
// (including the credits the response cache saved).
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { Card, Credits, ErrorLine, useLoad } from '../ui.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

interface Series {
  days: string[];
  series: Array<{ name: string; cost: string[]; tokens: number[]; requests: number; saved_cost: string }>;
  totals: { cost: string; input_tokens: number; output_tokens: number; requests: number; cache_hits: number; saved_cost: string };
}

const COLORS = ['#2563eb', '#16a34a', '#d97706', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626'];

export function Usage() {
  const [groupBy, setGroupBy] = useState<'model' | 'project' | 'key'>('model');
  const [metric, setMetric] = useState<'cost' | 'tokens'>('cost');
  const [days, setDays] = useState(14);
  const { data, error, reload } = useLoad(() => api<Series>(`/usage?group_by=${groupBy}&days=${days}`));
  useEffect(reload, [groupBy, days]);
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!data || !canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: data.days.map((d) => d.slice(5)),
        // Credits become floats here only to draw bar heights; every number shown as text stays exact.
        datasets: data.series.map((s, i) => ({
          label: s.name, backgroundColor: COLORS[i % COLORS.length]!,
          data: metric === 'cost' ? s.cost.map(Number) : s.tokens,
        })),
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: true }, y: {
          stacked: true, beginAtZero: true,
          ticks: { callback: (v) => (metric === 'cost' ? Number(v).toFixed(8).replace(/\.?0+$/, '') : String(v)) },
          title: { display: true, text: metric === 'cost' ? 'credits' : 'tokens' } } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    return () => chart.destroy();
  }, [data, metric]);
  return (
    <>
      <Card title="Usage over time" testId="usage">
        <div class="controls">
          <label>By <select data-testid="group-by" value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value as typeof groupBy)}>
            <option value="model">model</option><option value="project">project</option><option value="key">key</option></select></label>
          <label>Show <select value={metric} onChange={(e) => setMetric(e.currentTarget.value as typeof metric)}>
            <option value="cost">cost</option><option value="tokens">tokens</option></select></label>
          <label>Days <select value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            <option value="7">7</option><option value="14">14</option><option value="30">30</option><option value="90">90</option></select></label>
        </div>
        <ErrorLine error={error} />
        <div class="chart"><canvas ref={canvas} data-testid="usage-chart" /></div>
      </Card>
      {data && (
        <Card title="Totals" testId="usage-totals">
          <div class="stats">
            <div><span class="label">Cost</span><strong data-testid="total-cost"><Credits value={data.totals.cost} /></strong></div>
            <div><span class="label">Requests</span><strong data-testid="total-requests">{data.totals.requests}</strong></div>
            <div><span class="label">Input tokens</span><strong>{data.totals.input_tokens}</strong></div>
            <div><span class="label">Output tokens</span><strong>{data.totals.output_tokens}</strong></div>
            <div><span class="label">Cache hits</span><strong data-testid="cache-hits">{data.totals.cache_hits}</strong></div>
            <div><span class="label">Credits saved by the cache</span><strong data-testid="saved-cost"><Credits value={data.totals.saved_cost} /></strong></div>
          </div>
          <div class="table-wrap"><table>
            <thead><tr><th>{groupBy}</th><th>Requests</th><th>Saved by the cache</th></tr></thead>
            <tbody>{data.series.map((s) => <tr key={s.name}><td class="mono">{s.name}</td><td>{s.requests}</td><td><Credits value={s.saved_cost} /></td></tr>)}</tbody>
          </table></div>
        </Card>
      )}
    </>
  );
}
