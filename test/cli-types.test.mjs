// `ds01-events types [--json]`: every type of the spec's table, with its description and fields.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runCli } from './helpers/cli.mjs'

// The contract's table (docs/format.md), type by type.
const SPEC_TYPES = {
  'container.create': ['container', 'interface', 'gpu', 'image'],
  'container.start': ['container'],
  'container.stop': ['container', 'reason'],
  'container.remove': ['container', 'gpu_released'],
  'gpu.allocate': ['container', 'gpu', 'priority', 'container_type'],
  'gpu.release': ['container', 'gpu', 'reason'],
  'gpu.reject': ['container', 'reason'],
  'gpu.hold': ['container', 'gpu', 'duration'],
  'gpu.utilization': ['gpu_index', 'gpu_uuid', 'name', 'gpu_util_percent', 'mem_util_percent', 'mem_used_mb', 'mem_total_mb', 'temperature_c', 'power_w'],
  'health.check': ['status', 'checks_passed', 'checks_failed'],
  'health.fail': ['check', 'message'],
  'system.startup': ['component'],
  'system.shutdown': ['component'],
  'bare_metal.detect': ['pids', 'message'],
  'bare_metal.warning': ['pids', 'message'],
  'admin.cleanup': ['containers_removed', 'gpus_freed'],
  'admin.config_change': ['field', 'old_value', 'new_value'],
  'admin.user_override': ['field', 'value', 'reason'],
  'monitor.idle_detect': ['container', 'idle_duration'],
  'monitor.runtime_exceed': ['container', 'runtime'],
  'monitor.gpu_stale': ['container', 'gpu', 'stopped_duration'],
  'detection.container_discovered': ['container_id', 'name', 'origin', 'has_gpu', 'image'],
  'detection.container_exited': ['container_id', 'name', 'origin'],
  'detection.container_status_changed': ['container_id', 'name', 'old_status', 'new_status'],
  'detection.host_gpu_process_discovered': ['pid', 'cmdline', 'gpu_memory_mb', 'gpu_uuid'],
  'detection.host_gpu_process_exited': ['pid', 'cmdline'],
  'docker.intercept': ['command', 'container_type'],
  'docker.cgroup_inject': ['cgroup_parent'],
  'docker.gpu_rewrite': ['original', 'rewritten'],
  'auth.sudo_grant': ['command'],
  'auth.access_denied': ['resource', 'reason'],
  'user.added': ['group'],
  'resource.oom_kill': ['container'],
  'maintenance.idle_kill': ['container', 'idle_duration'],
  'maintenance.runtime_kill': ['container', 'runtime'],
  'alert.gpu_waste': ['container', 'gpu', 'gpu_index', 'window', 'samples', 'low_samples', 'idle_share'],
  'test.selftest': ['result'],
  'test.cli': ['result'],
  'test.bash_wrapper': ['result'],
  'verify.python': [],
  'verify.bash': []
}

test('types --json: exactly the spec\'s types, each with a description and its fields', () => {
  const r = runCli(['types', '--json'])
  assert.equal(r.status, 0, r.stderr)
  const registry = JSON.parse(r.stdout)
  assert.deepEqual(Object.keys(registry).sort(), Object.keys(SPEC_TYPES).sort())
  for (const [type, fields] of Object.entries(SPEC_TYPES)) {
    assert.equal(typeof registry[type].description, 'string', type)
    assert.ok(registry[type].description.length > 0, type)
    assert.deepEqual(Object.keys(registry[type].fields).sort(), [...fields].sort(), type)
  }
  assert.deepEqual(registry['container.create'].fields.gpu.sort(), ['number', 'string'])
  assert.deepEqual(registry['gpu.utilization'].fields.power_w.sort(), ['null', 'number'])
})

test('types: one entry per type with its description and detail fields, in a readable listing', () => {
  const r = runCli(['types'])
  assert.equal(r.status, 0, r.stderr)
  const json = JSON.parse(runCli(['types', '--json']).stdout)
  for (const type of Object.keys(SPEC_TYPES)) {
    const line = r.stdout.split('\n').find((l) => l.startsWith(type + ' '))
    assert.ok(line, `${type} listed`)
    assert.ok(line.includes(json[type].description), `${type} described`)
  }
  assert.match(r.stdout, /container \(string\), interface \(string\), gpu \(string or number\), image \(string\)/)
  assert.match(r.stdout, /verify\.bash[^\n]*\n\s+details: \(none\)/)
  assert.match(r.stdout, /naming rule/)
})
