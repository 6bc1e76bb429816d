// The `gpu` detail of an allocation, as writers in the field give it: an index
// ("3", 3), a GPU UUID ("GPU-..."), a MIG slice ("3:1", "3.1"; a MIG UUID
// "MIG-..."), or a list of these ("0,1"). A slice joins its parent GPU's
// samples; its own utilization is unknown (nvidia-smi reports [N/A]).

export type Device =
  /** a whole GPU by index */
  | { kind: 'index'; index: number; label: string }
  /** a whole GPU by UUID: its index is learned from the samples (gpu_uuid) */
  | { kind: 'uuid'; uuid: string; label: string }
  /** a MIG slice of GPU `index` */
  | { kind: 'slice'; index: number; slice: string; label: string }
  /** a MIG UUID, or a name this reader does not know: no samples join it */
  | { kind: 'other'; label: string }

const INDEX = /^\d{1,4}$/
const SLICE = /^(\d{1,4})[:.](\d{1,4})$/
const GPU_UUID = /^GPU-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i

/** One device text; null for an empty one. */
function deviceOf(text: string): Device | null {
  const t = text.trim()
  if (t === '') return null
  if (INDEX.test(t)) return { kind: 'index', index: Number(t), label: String(Number(t)) }
  const slice = SLICE.exec(t)
  if (slice !== null) {
    const index = Number(slice[1])
    const id = String(Number(slice[2]))
    return { kind: 'slice', index, slice: id, label: `${index}:${id}` }
  }
  if (GPU_UUID.test(t)) return { kind: 'uuid', uuid: t, label: t }
  return { kind: 'other', label: t }
}

/**
 * The devices an allocation's `gpu` detail names ([] when it names none). A
 * label is the device's normal spelling ("3.1" and "3:1" are both "3:1").
 */
export function parseDevices(value: unknown): Device[] {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 && value < 10_000 ? [{ kind: 'index', index: value, label: String(value) }] : []
  }
  if (typeof value !== 'string') return []
  const out: Device[] = []
  for (const part of value.split(/[,;\s]+/)) {
    const d = deviceOf(part)
    if (d !== null && !out.some((o) => o.label === d.label)) out.push(d)
  }
  return out
}
