// Guards of the sources: the scheduler knows no screen, and every source a
// screen declares is one the dashboard runs.
//
// No screen in the scheduler: dependency-cruiser's rule
// scheduler-knows-no-screen (.dependency-cruiser.cjs) refuses an import of
// screens/ from src/scheduler, but a screen's name written as a string
// (`wanted.includes('health')`, the poller's old leak) imports nothing. So
// this test reads every file of src/scheduler, comments included, for every
// screen's id and title.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourcesOf, type ScreenDefinition } from '../../screens/definition.js';
import { SCREEN_ORDER } from '../../screens/index.js';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { ExecSampler } from '../../src/host/exec-sampler.js';
import type { KubeClient } from '../../src/k8s/kube.js';
import { PodTracker } from '../../src/k8s/pod-sources.js';
import { LearnController } from '../../src/learn/controller.js';
import type { SourceId } from '../../src/model/rows.js';
import { createPgtopStore } from '../../src/store/store.js';

const SCHEDULER_DIR = path.join(import.meta.dirname, '../../src/scheduler');

function schedulerFiles(): { file: string; text: string }[] {
  return readdirSync(SCHEDULER_DIR, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|tsx|js|mjs)$/.test(file))
    .map((file) => ({ file, text: readFileSync(path.join(SCHEDULER_DIR, file), 'utf8') }));
}

/** Whole words, any case, a title's words also across a comment's line break: "health" and 'Health' are found, "healthy" and "backup" are not. */
function mentions(text: string, word: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_])${word.replace(/\s+/g, '[\\s/*]+')}($|[^A-Za-z0-9_])`, 'i').test(text);
}

/** What a screen may need, in every mode it has (the sizes screen: one list at a time) and for --once. */
function declaredSources(definition: ScreenDefinition): SourceId[] {
  const states = [undefined, 'tables', 'indexes', 'databases', 'audit'].map((mode) =>
    createPgtopStore({ screen: definition.id }, (s) => {
      if (mode) s.ui.screenMode = { [definition.id]: mode };
    }).getState(),
  );
  return [...new Set([...states.flatMap((state) => sourcesOf(definition, state)), ...(definition.onceSources ?? [])])];
}

describe('sources and screens', () => {
  it('no screen id or title appears in src/scheduler', () => {
    const files = schedulerFiles();
    expect(files.map((f) => f.file)).toContain('scheduler.ts');
    const leaks = files.flatMap(({ file, text }) =>
      SCREEN_ORDER.flatMap((screen) => [screen.id, screen.title].filter((word) => mentions(text, word)).map((word) => `${file}: ${word}`)),
    );
    expect(leaks).toEqual([]);
    // The check itself finds the leak it is for.
    expect(mentions("if (wanted.includes('health')) sample()", 'health')).toBe(true);
    expect(mentions('// the Guided\n// session', 'Guided session')).toBe(true);
  });

  it('every source a screen declares is one the dashboard runs', () => {
    const store = createPgtopStore();
    const learn = new LearnController({
      store,
      requestAction: () => undefined,
      openConnection: () => Promise.reject(new Error('not opened in this test')),
      connection: { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'shop', sslMode: 'disable', applicationName: 'pgtop', describe: '127.0.0.1:5432' },
      where: 'direct 127.0.0.1:5432',
      backupDir: '/tmp/pgtop-backups',
      progressFile: null,
      offerPgpass: false,
    });
    // A -k cluster/NAME target's cluster: its source is registered, never run here.
    const cluster = { kube: {} as KubeClient, namespace: 'db', name: 'pg' };
    // A -k target's pod: its sources (watch, volumes, events, metrics) are registered, never run here.
    const pod = new PodTracker({ kube: {} as KubeClient, namespace: 'db', currentPod: () => Promise.resolve('pg-0'), onPodChange: () => () => undefined });
    // With -k: the pod's sampler, whose figures (per-backend, container, data directory) are sources; never run here.
    const host = { reader: new ExecSampler(() => Promise.reject(new Error('not run in this test'))), mode: 'pod' as const };
    const scheduler = new DashboardScheduler({ store, backupDir: '/tmp/pgtop-backups', learn, cluster, pod, host });
    const declared = SCREEN_ORDER.flatMap((screen) => declaredSources(screen).map((id) => ({ screen: screen.id, id })));
    expect(declared.map((d) => d.id)).toEqual(
      expect.arrayContaining(['activity', 'backupFiles', 'learnChecks', 'sizeTables', 'rolesHba', 'clusterInstances', 'pod', 'podEvents', 'processUsage']),
    );
    expect(declared.filter((d) => !scheduler.has(d.id))).toEqual([]);
    expect(scheduler.has('header')).toBe(true);
  });
});
