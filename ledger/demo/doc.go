// Package demo fills a Trazo ledger with data, through the real
// ledger.Service and its validation. It holds two generators:
//
//   - Seed, the fixed demo data set that `trazo serve --demo` loads into an
//     empty log: a story one can walk through;
//   - Bulk, a synthetic data set of any size that `trazo seed` and the
//     report benchmarks append: volume with realistic proportions.
//
// # The demo data set (Seed)
//
// Seed records circular labor mobility into Costa Rica: three seasons (the
// two previous calendar years and the current one) of about 300 seasonal
// workers from Nicaragua and Panama (Ngäbe-Buglé among them) at a dozen
// coffee, banana, pineapple, sugar-cane and oil-palm employers, crossing
// at Peñas Blancas, Las Tablillas, Paso Canoas and Sixaola.
//
// Everything is recorded in the roles that would record it: the labour
// ministry registers the employers, the migration authority (or a border
// post, for cross-border cards) issues permits, border officers register
// workers and record crossings, employers register workers and start and
// end placements. Most workers come back the next season, many to the
// same employer; a few change employer mid-season (ended "transferred"
// and placed again), leave early, overstay, or leave weeks after their
// permit ended; one worker is refused entry, one is placed at 17, one has
// their personal data erased.
//
// The data set is drawn from the given random source before anything is
// appended, so the same source gives the same people, dates and
// employers (ids are the service's own, random, and the order of entries
// in the log varies, since workers are recorded concurrently). Nothing
// dated today or later is recorded: in the current season only what has
// already happened is there. The facts carry their own dates
// (occurred_at, start and end dates, permit validity); every entry's
// recorded_at is the time Seed ran, as for data keyed in after the fact.
//
// # The bulk data set (Bulk)
//
// Bulk appends a synthetic but realistic data set of circular labor
// mobility: a ministry registers employers; workers are registered,
// receive seasonal permits, cross the border, work a season with an
// employer (some transfer to another mid-season, some have their permit
// renewed), go home, and most come back the next season, often to the
// same employer; a few are refused at the border, leave after their
// permit ended or overstay, and a few are erased at the end.
//
// Every worker's life is drawn from its own random stream, itself drawn
// in order from BulkOptions.Rand, so the same options give the same data
// set (up to the ids, which the service draws from crypto/rand) whatever
// the concurrency. Workers are appended by BulkOptions.Concurrency
// goroutines at once, so that the ledger's group commit shares each fsync
// among many appends.
package demo
