// The terminal text of `ds01-events gpu`: the status bar takes the width the
// terminal leaves, colour only when asked, the log's control characters never
// reach the terminal; the usage table is sorted as the report is, with a total.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import text from '../dist/cli/gpu-text.js'

const ESC = '\u001b'

function status (user = 'alice') {
  const sample = (util) => ({ time: '2026-03-02T10:00:00.000Z', age_s: 1, gpu_util_percent: util, mem_util_percent: 1, mem_used_mb: 2048, mem_total_mb: 81559, temperature_c: 40, power_w: 100 })
  return {
    now: '2026-03-02T10:00:01.000Z',
    stale: false,
    skipped: { events: 0, samples: 0 },
    gpus: [
      { gpu_index: 0, gpu_uuid: 'GPU-x', name: 'NVIDIA H100', holder: null, holders: [{ user, container: 'c', gpu: '0', slice: false, since: '2026-03-02T09:00:00.000Z' }], sample: sample(50), stale: false },
      { gpu_index: 1, gpu_uuid: 'GPU-y', name: 'NVIDIA H100', holder: null, holders: [], sample: sample(0), stale: false }
    ]
  }
}

function barWidth (line) {
  return /\[([#.]*)\]/.exec(line)[1].length
}

test('the bar is fitted to the width: wider on a wider terminal, within its bounds', () => {
  const narrow = text.statusText(status(), 90, false).split('\n')[1]
  const wide = text.statusText(status(), 120, false).split('\n')[1]
  assert.ok(barWidth(wide) > barWidth(narrow), `${narrow}\n${wide}`)
  assert.equal(narrow.length, 90, narrow)
  assert.equal(barWidth(text.statusText(status(), 20, false).split('\n')[1]), 10, 'at least 10')
  assert.equal(barWidth(text.statusText(status(), 500, false).split('\n')[1]), 40, 'at most 40')
  // half full at 50 %
  const line = text.statusText(status(), 120, false).split('\n')[1]
  const bar = /\[([#.]*)\]/.exec(line)[1]
  assert.equal(bar.split('#').length - 1, bar.length / 2)
})

test('colour only when asked; control characters from the log are escaped', () => {
  assert.ok(!text.statusText(status(), 100, false).includes(ESC))
  assert.ok(text.statusText(status(), 100, true).includes(`${ESC}[`))
  const hostile = text.statusText(status(`evil${ESC}]0;owned\u0007`), 100, false)
  assert.ok(!hostile.includes(ESC) && !hostile.includes('\u0007'), hostile)
  assert.match(hostile, /evil\\u001b\]0;owned\\u0007/)
})

test('the usage table: rows in the report\'s order (idle hours first), hours to 2 decimals, a total', () => {
  const report = {
    since: '2026-03-01T10:00:00.000Z',
    until: '2026-03-02T10:00:00.000Z',
    by: 'user',
    threshold: 5,
    skipped: { events: 0, samples: 0 },
    rows: [
      { user: 'alice', allocated_hours: 10, busy_hours: 1, idle_hours: 8.5, unknown_hours: 0.5, mean_util_percent: 3.2 },
      { user: 'bob', allocated_hours: 20, busy_hours: 19, idle_hours: 1, unknown_hours: 0, mean_util_percent: 80 }
    ]
  }
  const lines = text.usageText(report, false).trimEnd().split('\n')
  assert.match(lines[1], /^USER +ALLOCATED +BUSY +IDLE +UNKNOWN +MEAN UTIL$/)
  assert.match(lines[2], /^alice +10\.00 +1\.00 +8\.50 +0\.50 +3 %$/)
  assert.match(lines[3], /^bob +20\.00 +19\.00 +1\.00 +0\.00 +80 %$/)
  assert.match(lines[4], /^total +30\.00 +20\.00 +9\.50 +0\.50$/)
  assert.match(text.usageText({ ...report, rows: [] }, false), /no GPU was allocated in this window/)
})
