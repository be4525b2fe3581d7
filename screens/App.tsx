// The whole dashboard: header, tabs, the visible screen (or an overlay on
// it), the status line. It reads the store and renders; keys go through
// useKeymap to the dispatcher; nothing here talks to the server.
import { Box, render, Text, type Instance } from 'ink';
import React from 'react';
import { MIN_COLUMNS, MIN_ROWS, useTerminalSize } from '../hooks/useTerminalSize.js';
import { AppContext, useAppEnvironment, useScreen, useScreens, type AppEnvironment } from '../hooks/context.js';
import { useKeymap } from '../hooks/useKeymap.js';
import { useNow } from '../hooks/useNow.js';
import { usePgtop } from '../hooks/usePgtop.js';
import { Header, headerRows, type HostFigures } from '../src/components/Header.js';
import { ConfirmDialog, DetailView, FormDialog, HelpOverlay, PromptLine, ResultBox } from '../src/components/Overlays.js';
import { StatusLine } from '../src/components/StatusLine.js';
import { TabBar } from '../src/components/TabBar.js';
import { bindingsFor, displayKey, unavailableReason, type KeyBinding } from '../src/keys/commands.js';
import type { KubeAccess } from '../src/model/kube-access.js';
import { detailFields } from '../src/render/overlay-lines.js';
import type { ScreenComponent, ScreenDefinition } from './definition.js';
import { SCREEN_ORDER } from './index.js';
import { TableScreen } from './TableScreen.js';

// Header 3 lines (4 with the pod line), tabs 1, status 1, hints 1.
const CHROME_ROWS = 6;

/** How Ink draws the dashboard (bench/dashboard/frame.tsx renders with the same). */
export const DASHBOARD_RENDER_OPTIONS = {
  // Ctrl-C is a key like any other (the quit command), not Ink's exit.
  exitOnCtrlC: false,
  patchConsole: false,
  maxFps: 20,
  // Only the lines that changed are written (with src/bundle-patches.mjs: Ink
  // otherwise clears and redraws a frame as tall as the terminal every time):
  // what a slow SSH link carries per refresh (docs/benchmarks.md).
  incrementalRendering: true,
} as const;

/**
 * The screens' own components, loaded: each screen folder loads its own
 * (--once never loads them, nor Ink); all before the first frame, so
 * switching screens never waits.
 */
export async function loadScreenComponents(screens: readonly ScreenDefinition[] = SCREEN_ORDER): Promise<Map<string, ScreenComponent>> {
  const loaded = await Promise.all(screens.map(async (s) => [s.id, await s.component?.()] as const));
  return new Map(loaded.filter((entry): entry is readonly [string, ScreenComponent] => entry[1] !== undefined));
}

/** Renders the dashboard on the terminal; the caller waits for it to exit. */
export async function startDashboard(env: AppEnvironment): Promise<Instance> {
  const components = env.components ?? (await loadScreenComponents(env.screens));
  return render(<App {...env} components={components} />, DASHBOARD_RENDER_OPTIONS);
}

export function App(env: AppEnvironment): React.ReactElement {
  return (
    <AppContext.Provider value={env}>
      <Dashboard />
    </AppContext.Provider>
  );
}

function Dashboard(): React.ReactElement {
  const { color } = useAppEnvironment();
  const size = useTerminalSize();
  const host = useHostFigures();
  const bodyHeight = Math.max(1, size.rows - CHROME_ROWS - (headerRows(host) - 3));
  useKeymap(Math.max(1, bodyHeight - 3), { width: size.columns, height: bodyHeight });
  const connection = usePgtop((s) => s.connection);
  const header = usePgtop((s) => s.data.header);
  const rates = usePgtop((s) => s.data.rates);
  const ui = usePgtop((s) => s.ui);
  const now = useNow(connection.state === 'reconnecting');
  const screens = useScreens();
  const definition = useScreen(ui.screen);

  if (size.columns < MIN_COLUMNS || size.rows < MIN_ROWS) {
    return (
      <Box flexDirection="column">
        <Text bold>{`pgtop needs a terminal of at least ${MIN_COLUMNS}x${MIN_ROWS}; this one is ${size.columns}x${size.rows}.`}</Text>
        <Text>Enlarge the window (pgtop redraws when it is big enough), or press q to quit.</Text>
      </Box>
    );
  }

  // On a standby the keys that would write are left out of the bar, and the bar says why (help lists them as unavailable).
  const standby = header?.inRecovery === true;
  const bindings = bindingsFor(definition.keys);
  const unavailable = unavailableCommands(bindings, connection.kubeAccess);
  const blocked = bindings.filter((b) => b.hint && unavailable.has(b.command));
  const unavailableHints = blocked.length
    ? { hints: blocked.map((b) => `${displayKey(b.keys[0]!)} ${b.hint}`).join('  '), reason: [...new Set(blocked.map((b) => unavailable.get(b.command)!))].join('; ') }
    : null;
  const hints = [
    ...bindings.filter((b) => b.hint && !(standby && b.primaryOnly) && !unavailable.has(b.command)).map((b) => `${displayKey(b.keys[0]!)} ${b.hint}`),
    ...(standby && bindings.some((b) => b.primaryOnly) ? ['standby: writes need the primary'] : []),
  ].join('  ');
  const overlay = ui.overlay;
  const prompt =
    overlay.kind === 'command' ? <PromptLine prefix=":" text={overlay.text} /> : overlay.kind === 'filter' ? <PromptLine prefix="/" text={overlay.text} /> : null;

  return (
    <Box flexDirection="column" width={size.columns} height={size.rows}>
      <Header connection={connection} data={{ header, rates }} host={host} ui={ui} now={connection.state === 'reconnecting' ? now : Date.now()} color={color} width={size.columns} />
      <TabBar tabs={screens} current={ui.screen} color={color} width={size.columns} />
      <Body width={size.columns} height={bodyHeight} />
      {prompt ?? <StatusLine status={ui.status} hints={hints} unavailable={unavailableHints} color={color} />}
      {prompt ? <Text dimColor>{overlay.kind === 'filter' ? 'Enter keeps the filter, Esc clears it' : `${screens.map((s) => s.id).join(', ')}, help or q; Enter runs it, Esc cancels`}</Text> : null}
    </Box>
  );
}

/** The commands of a screen that cannot work here, with why (a Kubernetes permission the review denied). */
function unavailableCommands(bindings: readonly KeyBinding[], access: KubeAccess | null): Map<string, string> {
  const unavailable = new Map<string, string>();
  for (const b of bindings) {
    const reason = unavailableReason(b, access);
    if (reason) unavailable.set(b.command, reason);
  }
  return unavailable;
}

/** The pod's and the machine's figures for the header's pod line (each selected alone: they change at their own pace). */
function useHostFigures(): HostFigures {
  const pod = usePgtop((s) => s.data.results.pod?.rows[0] ?? null);
  const metrics = usePgtop((s) => s.data.results.podMetrics?.rows[0] ?? null);
  const cgroup = usePgtop((s) => s.data.results.containerUsage?.rows[0] ?? null);
  const dataDirectory = usePgtop((s) => s.data.results.dataDirectory?.rows[0] ?? null);
  return { pod, metrics, cgroup, dataDirectory };
}

function Body({ width, height }: { width: number; height: number }): React.ReactElement {
  const { color, components } = useAppEnvironment();
  const state = usePgtop((s) => s);
  const { screen, overlay, readOnly } = state.ui;
  const definition = useScreen(screen);
  switch (overlay.kind) {
    case 'help':
      return (
        <HelpOverlay
          screen={definition.id}
          bindings={bindingsFor(definition.keys)}
          readOnly={readOnly}
          standby={state.data.header?.inRecovery === true}
          unavailable={unavailableCommands(bindingsFor(definition.keys), state.connection.kubeAccess)}
          width={width}
          height={height}
        />
      );
    case 'confirm':
      return (
        <Box height={height} flexDirection="column">
          <ConfirmDialog action={overlay.action} typed={overlay.typed} color={color} width={width} />
        </Box>
      );
    case 'form':
      return (
        <Box height={height} flexDirection="column">
          <FormDialog input={overlay.input} text={overlay.text} choice={overlay.choice} color={color} width={width} />
        </Box>
      );
    case 'result':
      return (
        <Box height={height} flexDirection="column">
          <ResultBox title={overlay.title} lines={overlay.lines} scroll={overlay.scroll ?? 0} color={color} width={width} height={height} />
        </Box>
      );
    case 'detail': {
      const fields = detailFields(state, definition.view, overlay.key);
      return <DetailView title={`${definition.title}: details`} fields={fields} scroll={overlay.scroll ?? 0} width={width} height={height} />;
    }
    default: {
      const Screen = components?.get(definition.id);
      if (Screen) return <Screen width={width} height={height} />;
      return <TableScreen screen={definition.id} view={definition.view} width={width} height={height} />;
    }
  }
}
