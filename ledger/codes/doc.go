// Package codes holds the code lists that Trazo validates records against,
// embedded in the binary, and answers lookups on them with map reads:
//
//   - Countries: the 249 ISO 3166-1 alpha-3 codes with English short names,
//     plus the four ICAO Doc 9303 codes for travellers without a
//     nationality of their own (XXA stateless person, XXB refugee under the
//     1951 Convention, XXC other refugee, XXX unspecified nationality),
//     which are flagged [CountryInfo.ICAO] because they are not ISO codes.
//     See [Country], [IsCountry], [CountryByAlpha2] and [Countries].
//   - Subdivisions: every ISO 3166-2 code (provinces, departments, states,
//     …) of every country that has them. See [Subdivision],
//     [IsSubdivision], [SubdivisionOf], [Subdivisions] and
//     [SubdivisionsOf].
//   - Occupations: the 619 groups of ILO ISCO-08; a worker's occupation is
//     a 4-digit unit group. See [Occupation], [IsOccupationUnit] and
//     [Occupations].
//   - Industries: the 766 entries of UN ISIC Rev.4; an employer's sector is
//     a section letter or a 4-digit class. See [Industry], [IsSector],
//     [SectionOf] and [Industries].
//
// Codes are matched exactly: uppercase, no surrounding white space, leading
// zeros kept ("0110", not "110"). Callers that accept user input normalise
// it first; this package does not guess. It imports nothing else of
// Trazo; package ledger (the domain) validates requests against it.
//
// Each list is parsed from its embedded CSV file once, on first use, and
// kept in maps, so a lookup costs one map read (about 30 ns). [Load] parses
// them all at once so that a server pays the cost at start-up (3 to 4 ms
// and under 3 MB of garbage on a 2-core machine, most of it for the 5,046
// subdivisions) and stops there if the data were ever broken.
// If parsing fails, every lookup of that list reports not found and Load
// returns the error. The sources, versions and licences of the lists are in
// data/SOURCES.md; scripts/gen-codes.sh regenerates the files.
package codes
