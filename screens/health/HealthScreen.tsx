// The health screen's body: the checks as a table (Enter explains one), and
// under them four charts over the session — TPS, connections, cache hit and
// database size — two by two, as large as the terminal allows.
import { Box } from 'ink';
import React from 'react';
import { useAppEnvironment, useScreen } from '../../hooks/context.js';
import { usePgtop } from '../../hooks/usePgtop.js';
import { Chart, chartPoints } from '../../src/components/Chart.js';
import { screenFailures } from '../definition.js';
import { TableScreen } from '../TableScreen.js';
import { chartSeries, HEALTH_CHARTS, healthView } from './view.js';

/** Rows the charts need at the least: a title and two lines of plot. */
const MIN_CHART_HEIGHT = 3;

export function HealthScreen({ width, height }: { width: number; height: number }): React.ReactElement {
  const { color } = useAppEnvironment();
  const checkCount = usePgtop((s) => healthView.rows(s).length);
  const history = usePgtop((s) => s.data.history);
  const result = usePgtop((s) => s.data.results.health);
  const definition = useScreen('health');
  const failureCount = usePgtop((s) => screenFailures(s, definition).length);
  // The checks' table: a header, one row each, the footer line (and a line above it for each query that failed).
  const tableHeight = Math.min(height, checkCount + 3 + failureCount);
  const chartHeight = Math.floor((height - tableHeight) / 2);
  const chartWidth = Math.floor((width - 1) / 2);
  const charts = HEALTH_CHARTS.map((spec) => (
    <Chart
      key={spec.id}
      title={spec.title}
      values={chartSeries(history, spec.pick, chartPoints(chartWidth))}
      format={spec.format}
      width={chartWidth}
      height={chartHeight}
      color={color}
    />
  ));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <TableScreen screen="health" view={healthView} width={width} height={tableHeight} result={result} />
      {chartHeight >= MIN_CHART_HEIGHT ? (
        <>
          <Box flexDirection="row" gap={1}>
            {charts[0]}
            {charts[1]}
          </Box>
          <Box flexDirection="row" gap={1}>
            {charts[2]}
            {charts[3]}
          </Box>
        </>
      ) : null}
    </Box>
  );
}
