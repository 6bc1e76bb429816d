// The monthly report (docs/report.md): the figures of one UTC month from the
// logs alone, as Markdown for people and JSON (snake_case) for scripts.
export { lastMonth, parseMonth, type Month } from './month.js'
export { isWarning, MonthTally, REPORT_EVENT_TYPES, type CountedWithUsers, type Tally, type UserCount } from './tally.js'
export { monthlyReport, type GpuHours, type GpuHoursRow, type MonthlyReport, type ReportOptions, type ReportResult } from './report.js'
export { duration, reportMarkdown } from './markdown.js'
