// Package report computes Trazo's circular-mobility reports (docs/API.md,
// "Reports"): for a period [from, to] of UTC dates, inclusive, the counts
// below, in total and per group of any combination of the dimensions
// nationality, sex, age_band, sector, occupation, region, employer and
// month, as JSON or CSV, with small counts suppressed.
//
// It is the domain side of GET /v1/reports/circular and of `trazo report`:
// [ParseQuery] reads the query, [Engine.Circular] checks the caller's role
// and computes, [Write] answers in the requested format; [Engine.Run] does
// the last two for the command line.
//
// # Metrics
//
// Definitions are docs/API.md's; where it leaves a choice, or where the
// contract of 2026-12 is not served yet (perturbation, a floor on
// min_cell, sdmx-csv), what is computed is said here.
//
//   - workers: distinct workers with a placement active on at least one day
//     of the period. A placement is active from its start_date through its
//     end_date, or from its start_date on while it has not ended (also on
//     days after today: a report is a function of the recorded facts and
//     the period, not of the clock).
//   - placements_started, placements_ended: placements whose start_date,
//     end_date is in the period (a transfer ends one and starts another).
//   - entries, exits: crossings of that direction whose occurred_at date
//     (UTC) is in the period. A refused entry is neither.
//   - returning_workers: of workers, those with a placement active in the
//     period that started in a later season than another placement of
//     theirs (the one that counts them started in a later season than
//     their first). A season starts each year on season_start (MM-DD,
//     default 01-01: calendar years) and is named by the year it starts
//     in: with season_start 10-01, 2025-02-01 is in the 2024 season.
//   - same_employer_returns: of those, the workers with a placement active
//     in the period at an employer they also had a placement with in an
//     earlier season (earlier than that placement's).
//   - circular_returns: distinct workers with an exit in the period that
//     came on or after the end_date of their last placement (the most
//     recent one started on or before the exit; a placement not ended does
//     not qualify) and on or before the last valid day of a permit valid on
//     that end_date. A permit's last valid day is its valid_to, or the day
//     before its revocation when that is earlier (as package ledger
//     reads permits).
//   - overstays: distinct workers present at the end of to — their last
//     entry or exit (refused entries do not move anyone) on or before to is
//     an entry — with no permit valid on to. It depends on to only.
//   - mean_stay_days: the mean of exit date − entry date over the stays
//     whose exit is in the period. A stay is an entry and the next exit,
//     as package ledger pairs them: an entry while present does not
//     start another stay, an exit without an entry ends none. null when
//     there is no such stay.
//
// Erased workers count like any other: their projections keep the
// non-identifying facts reports need.
//
// # Groups
//
// Rows are the groups with any non-zero value, ordered by their dimension
// values (as strings; months are YYYY-MM). An ungrouped report has one row,
// equal to its totals.
//
//   - nationality, sex: the worker's (with corrections applied).
//   - age_band (0-17, 18-24, 25-34, 35-44, 45-54, 55+): age on the event's
//     date. The date of birth is personal data, encrypted in the log and
//     shredded on erasure, so projections hold only the birth year and the
//     age at the start of each placement; the engine estimates the
//     birthday from them (see ledger.Facts.Birthday). Ages are exact on
//     every placement's start date, and off by at most one year on other
//     dates near a birthday.
//   - sector, occupation, region, employer: placement metrics
//     (placements_started, placements_ended, and workers,
//     returning_workers, same_employer_returns, which count workers
//     through their active placements) by the placement's own values;
//     crossing and worker metrics (entries, exits, mean_stay_days,
//     circular_returns, overstays) by the worker's most recent placement
//     that started on or before the event's date ("unknown" when there is
//     none; on a tie, the later recorded).
//   - month: the month of the event's date: start_date, end_date,
//     occurred_at, the exit of a stay or a circular return, to for an
//     overstay, and every day a placement is active for workers (a worker
//     counts in each month of the period in which a placement of theirs is
//     active, and likewise in each age band they are in on those days).
//
// Event counts (placements_started, placements_ended, entries, exits) and
// overstays (one event per worker, at to) add up: summed over the groups of
// any dimension they give the total. Distinct-worker counts (workers,
// returning_workers, same_employer_returns, circular_returns) add up over
// nationality and sex only; over the other dimensions a worker can be in
// several groups (two employers, several months, a birthday, two circular
// exits in a long period), so the groups sum to at least the total. See
// [Additive]. mean_stay_days is a mean: its stays and days add up.
//
// # Small-cell suppression
//
// Counts from 1 to min_cell-1 (default 5; min_cell=1 turns suppression off)
// are published as null, and their row, or the totals, carry
// "suppressed": true. Zeros are shown. Complementary suppression then
// protects every margin a reader could subtract from: for each dimension a
// count adds up over, each line of cells that differ only in that dimension
// (whose sum another report, grouped without it, publishes), and all the
// rows when the count adds up over every grouped dimension (whose sum is
// the total). A reader knows a null is at least 1, so n nulls of a line
// summing to S each lie in [1, S-(n-1)]; a line is safe with no null, or
// with at least two whose sum S has S-(n-1) >= min_cell, so that none is
// pinned to a value or shown to be small. Until a line is safe the smallest
// visible non-zero cell of it is suppressed too; when none is left and the
// line's sum is the total, the total is suppressed. This repeats until no
// line changes. mean_stay_days is suppressed when fewer than min_cell stays
// (but some) are behind it. Suppressed values never leave the engine: they
// are zeroed in the Report.
//
// What this does not cover: along dimensions a count does not add up over,
// a margin only bounds cells from below, and is not protected; a line whose
// every non-zero cell is already suppressed cannot be protected further
// within one report (its sum, in another report, is then made only of
// suppressed cells); and differencing across reports of different periods
// is not prevented.
//
// # How it is fast
//
// Reports read the per-worker facts rows that package ledger keeps in the
// same transaction as every entry (ledger.Service.ScanFacts): one compact
// binary row per worker, scanned by several goroutines over disjoint shards
// of one snapshot, each tallying into its own groups, merged at the end.
// Nothing is decoded from JSON and the log is not replayed. Groups are keyed
// by the packed values of the grouped dimensions; a worker's active
// placement is cut only where its group can change (a month boundary, a
// birthday that starts a new age band).
package report
