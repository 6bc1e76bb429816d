// The detail fields of every registered type, as plain TypeScript: the public
// .d.ts names no zod type, so a consumer's compiler never reads zod's own
// declarations (which need esModuleInterop and ES2015 libs). schemas.ts checks
// at compile time that this map and the zod schemas agree, field by field.

/** The readings of one GPU sample; null where the driver could not give one (nvidia-smi's [N/A]). */
export interface GpuReadings {
  gpu_util_percent: number | null
  mem_util_percent: number | null
  mem_used_mb: number | null
  mem_total_mb: number | null
  temperature_c: number | null
  power_w: number | null
}

/** A `gpu.utilization` event's details as the GPU agent writes them: the GPU, then its readings. */
export interface GpuUtilizationDetails extends GpuReadings {
  gpu_index: number
  gpu_uuid: string
  name: string
}

/** Each registered type's detail fields (all optional; other detail keys are allowed too). */
export interface EventDetails {
  'container.create': { container?: string; interface?: string; gpu?: string | number; image?: string }
  'container.start': { container?: string }
  'container.stop': { container?: string; reason?: string }
  'container.remove': { container?: string; gpu_released?: boolean | string | number }
  'gpu.allocate': { container?: string; gpu?: string | number; priority?: number; container_type?: string }
  'gpu.release': { container?: string; gpu?: string | number; reason?: string }
  'gpu.reject': { container?: string; reason?: string }
  'gpu.hold': { container?: string; gpu?: string | number; duration?: string | number }
  'gpu.utilization': Partial<GpuUtilizationDetails>
  'health.check': { status?: string; checks_passed?: number; checks_failed?: number }
  'health.fail': { check?: string; message?: string }
  'system.startup': { component?: string }
  'system.shutdown': { component?: string }
  'bare_metal.detect': { pids?: unknown[] | string; message?: string }
  'bare_metal.warning': { pids?: unknown[] | string; message?: string }
  'admin.cleanup': { containers_removed?: number | unknown[]; gpus_freed?: number | unknown[] }
  'admin.config_change': { field?: string; old_value?: unknown; new_value?: unknown }
  'admin.user_override': { field?: string; value?: unknown; reason?: string }
  'monitor.idle_detect': { container?: string; idle_duration?: string | number }
  'monitor.runtime_exceed': { container?: string; runtime?: string | number }
  'monitor.gpu_stale': { container?: string; gpu?: string | number; stopped_duration?: string | number }
  'detection.container_discovered': { container_id?: string; name?: string; origin?: string; has_gpu?: boolean; image?: string }
  'detection.container_exited': { container_id?: string; name?: string; origin?: string }
  'detection.container_status_changed': { container_id?: string; name?: string; old_status?: string; new_status?: string }
  'detection.host_gpu_process_discovered': { pid?: number; cmdline?: string; gpu_memory_mb?: number; gpu_uuid?: string }
  'detection.host_gpu_process_exited': { pid?: number; cmdline?: string }
  'docker.intercept': { command?: string; container_type?: string }
  'docker.cgroup_inject': { cgroup_parent?: string }
  'docker.gpu_rewrite': { original?: string; rewritten?: string }
  'auth.sudo_grant': { command?: string }
  'auth.access_denied': { resource?: string; reason?: string }
  'user.added': { group?: string }
  'resource.oom_kill': { container?: string }
  'maintenance.idle_kill': { container?: string; idle_duration?: string | number }
  'maintenance.runtime_kill': { container?: string; runtime?: string | number }
  'alert.gpu_waste': { container?: string; gpu?: string | number; gpu_index?: number; window?: string; samples?: number; low_samples?: number; idle_share?: number }
  'test.selftest': { result?: string }
  'test.cli': { result?: string }
  'test.bash_wrapper': { result?: string }
  // No registered fields (other detail keys are still allowed).
  'verify.python': Record<never, never>
  'verify.bash': Record<never, never>
}

/** A registered event type. */
export type KnownEventType = keyof EventDetails

/** What a caller may pass as a known type's registered details. */
export type DetailsOf<T extends KnownEventType> = EventDetails[T]
