// pg_settings rows into Settings (src/model/config.ts, which also makes
// their values readable).

import { bool, num, str, type RawRow } from '../row.js';
import type { Setting } from '../../../model/config.js';

export function mapSetting(row: RawRow): Setting {
  const setting = str(row, 'setting') ?? '';
  const defaultValue = str(row, 'default_value');
  const source = str(row, 'source') ?? '';
  return {
    name: str(row, 'name') ?? '',
    setting,
    unit: str(row, 'unit'),
    category: str(row, 'category') ?? '',
    description: str(row, 'description') ?? '',
    context: str(row, 'context') ?? '',
    type: str(row, 'vartype') ?? '',
    source,
    defaultValue,
    resetValue: str(row, 'reset_value'),
    minValue: str(row, 'min_val'),
    maxValue: str(row, 'max_val'),
    choices: str(row, 'choices'),
    sourceFile: str(row, 'source_file'),
    sourceLine: num(row, 'source_line'),
    pendingRestart: bool(row, 'pending_restart') ?? false,
    key: bool(row, 'key_setting') ?? false,
    changed: source !== 'default' && source !== 'override' && setting !== defaultValue,
  };
}
