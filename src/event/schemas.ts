// The single source of truth for the v1 format: the envelope and every
// registered event type's details, in zod. TypeScript types are inferred from
// these; the runtime checks against a descriptor compiled from them at build
// time (compile-schema.ts), so logging an event never loads zod.
import { z } from 'zod'
import type { DetailsOf, KnownEventType } from './details.js'

/** `category.action`: two or more dot-separated segments, each [a-z][a-z0-9_]*. */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$/
export const EVENT_TYPE_MAX_LENGTH = 128
export const SCHEMA_VERSION = '1'

export const envelopeSchema = z.strictObject({
  timestamp: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  event_type: z.string().max(EVENT_TYPE_MAX_LENGTH).regex(EVENT_TYPE_PATTERN),
  schema_version: z.literal(SCHEMA_VERSION),
  user: z.string().min(1).optional(),
  source: z.string().min(1).optional(),
  // A custom check rather than z.record: a record is rebuilt by assignment,
  // which turns a "__proto__" detail key (legal JSON) into a prototype.
  details: z.custom<Record<string, unknown>>(isDetails, 'details: a non-empty object with non-empty keys (omitted when empty)').optional()
})

function isDetails(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const keys = Object.keys(value)
  return keys.length > 0 && keys.every((key) => key !== '')
}

export type Envelope = z.infer<typeof envelopeSchema>

// Field types. Values from the bash CLI are strings unless they parse as JSON,
// so the spec is lenient where scripts pass numbers as text.
const text = z.string()
const number = z.number()
const flag = z.boolean()
const textOrNumber = z.union([z.string(), z.number()])
const reading = z.number().nullable() // null: the driver reports it unavailable
const list = z.array(z.unknown())
const anyValue = z.unknown()

/**
 * A type's details: every listed field is optional (callers log what they
 * know) and other fields are allowed; a listed field of the wrong type is a
 * mismatch.
 */
function details<Shape extends z.ZodRawShape>(description: string, shape: Shape) {
  return z.looseObject(shape).partial().describe(description)
}

export const detailSchemas = {
  'container.create': details('A container was created', { container: text, interface: text, gpu: textOrNumber, image: text }),
  'container.start': details('A container was started', { container: text }),
  'container.stop': details('A container was stopped', { container: text, reason: text }),
  'container.remove': details('A container was removed', { container: text, gpu_released: z.union([flag, text, number]) }),
  'gpu.allocate': details('GPUs were allocated to a container', { container: text, gpu: textOrNumber, priority: number, container_type: text }),
  'gpu.release': details('GPUs were released by a container', { container: text, gpu: textOrNumber, reason: text }),
  'gpu.reject': details('A GPU request was rejected', { container: text, reason: text }),
  'gpu.hold': details('GPUs are held for a stopped container', { container: text, gpu: textOrNumber, duration: textOrNumber }),
  'gpu.utilization': details('One GPU utilization sample (one event per GPU per sample)', {
    gpu_index: number,
    gpu_uuid: text,
    name: text,
    gpu_util_percent: reading,
    mem_util_percent: reading,
    mem_used_mb: reading,
    mem_total_mb: reading,
    temperature_c: reading,
    power_w: reading
  }),
  'health.check': details('A health check ran', { status: text, checks_passed: number, checks_failed: number }),
  'health.fail': details('A health check failed', { check: text, message: text }),
  'system.startup': details('A component started', { component: text }),
  'system.shutdown': details('A component shut down', { component: text }),
  'bare_metal.detect': details('GPU processes outside containers were found', { pids: z.union([list, text]), message: text }),
  'bare_metal.warning': details('A user was warned about bare-metal GPU use', { pids: z.union([list, text]), message: text }),
  'admin.cleanup': details('An administrator cleanup ran', { containers_removed: z.union([number, list]), gpus_freed: z.union([number, list]) }),
  'admin.config_change': details('A configuration value changed', { field: text, old_value: anyValue, new_value: anyValue }),
  'admin.user_override': details('An administrator overrode a user limit', { field: text, value: anyValue, reason: text }),
  'monitor.idle_detect': details('A container was found idle', { container: text, idle_duration: textOrNumber }),
  'monitor.runtime_exceed': details('A container ran past its runtime limit', { container: text, runtime: textOrNumber }),
  'monitor.gpu_stale': details('A stopped container still holds GPUs', { container: text, gpu: textOrNumber, stopped_duration: textOrNumber }),
  'detection.container_discovered': details('A container was discovered', { container_id: text, name: text, origin: text, has_gpu: flag, image: text }),
  'detection.container_exited': details('A discovered container exited', { container_id: text, name: text, origin: text }),
  'detection.container_status_changed': details('A container changed status', { container_id: text, name: text, old_status: text, new_status: text }),
  'detection.host_gpu_process_discovered': details('A host process using a GPU was discovered', { pid: number, cmdline: text, gpu_memory_mb: number, gpu_uuid: text }),
  'detection.host_gpu_process_exited': details('A host GPU process exited', { pid: number, cmdline: text }),
  'docker.intercept': details('The docker wrapper intercepted a command', { command: text, container_type: text }),
  'docker.cgroup_inject': details('The docker wrapper injected a cgroup parent', { cgroup_parent: text }),
  'docker.gpu_rewrite': details('The docker wrapper rewrote a GPU request', { original: text, rewritten: text }),
  'auth.sudo_grant': details('A sudo command was granted', { command: text }),
  'auth.access_denied': details('Access was denied', { resource: text, reason: text }),
  'user.added': details('A user was added to a group', { group: text }),
  'resource.oom_kill': details('A container was killed for running out of memory', { container: text }),
  'maintenance.idle_kill': details('An idle container was stopped by maintenance', { container: text, idle_duration: textOrNumber }),
  'maintenance.runtime_kill': details('A container past its runtime limit was stopped by maintenance', { container: text, runtime: textOrNumber }),
  'alert.gpu_waste': details('An allocated GPU stayed idle for a whole window', {
    container: text,
    gpu: textOrNumber,
    gpu_index: number,
    window: text,
    samples: number,
    low_samples: number,
    idle_share: number
  }),
  'test.selftest': details('The library self-test', { result: text }),
  'test.cli': details('The CLI self-test', { result: text }),
  'test.bash_wrapper': details('The bash wrapper self-test', { result: text }),
  'verify.python': details('Verification event from the Python writer', {}),
  'verify.bash': details('Verification event from the bash wrapper', {})
}

export type DetailSchemas = typeof detailSchemas

/**
 * Spellings in the field: other names that writers on these servers give a
 * registered type. A line keeps its writer's spelling; whatever counts or joins
 * (summaries, reports, metrics, GPU accounting) counts it under the registered
 * name, and a filter on the registered name matches both.
 */
export const eventTypeAliases = {
  'gpu.allocated': 'gpu.allocate',
  'gpu.released': 'gpu.release',
  'gpu.rejected': 'gpu.reject',
  'auth.denied': 'auth.access_denied'
} as const satisfies Record<string, keyof DetailSchemas>

// The public types (details.ts) are written without zod; these lines stop the
// build when they and the schemas above disagree on a type, a field or a
// field's type. The type named in the error is the one to fix.
type Named<T> = { [K in keyof T as string extends K ? never : K]: T[K] }
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Agrees<T extends KnownEventType> = Same<keyof Named<z.input<DetailSchemas[T]>>, keyof DetailsOf<T>> extends true
  ? Same<Named<z.input<DetailSchemas[T]>>, DetailsOf<T>>
  : false
type Mismatched = { [T in KnownEventType]: Agrees<T> extends true ? never : T }[KnownEventType]
export const detailTypesAgree: [Mismatched] extends [never] ? 'agree' : Mismatched = 'agree'
export const registeredTypesAgree: Same<keyof DetailSchemas, KnownEventType> = true
