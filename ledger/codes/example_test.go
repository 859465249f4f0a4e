package codes_test

import (
	"fmt"

	"github.com/trazo-ledger/trazo/ledger/codes"
)

// Validating the codes of a seasonal placement: a Nicaraguan worker, a
// coffee farm in Alajuela, Costa Rica.
func Example() {
	worker, _ := codes.Country("NIC")
	fmt.Println(worker.Name, worker.Alpha2)

	stateless, _ := codes.Country("XXA")
	fmt.Println(stateless.Name, stateless.ICAO)

	fmt.Println(codes.IsCountry("NI"), codes.IsCountry("nic"))

	province, _ := codes.Subdivision("CR-A")
	fmt.Println(province.Name, province.CountryAlpha3, codes.SubdivisionOf("CR-A", "CRI"))

	job, _ := codes.Occupation("9211")
	fmt.Println(job.Title, "-", job.Level, codes.IsOccupationUnit("921"))

	farm, _ := codes.Industry("0127")
	fmt.Println(farm.Title, codes.IsSector("0127"), codes.IsSector("01"), codes.SectionOf("0127"))
	// Output:
	// Nicaragua NI
	// Stateless person true
	// false false
	// Alajuela CRI true
	// Crop farm labourers - unit group false
	// Growing of beverage crops true false A
}

func ExampleSubdivisionsOf() {
	for _, s := range codes.SubdivisionsOf("CRI") {
		fmt.Println(s.Code, s.Name)
	}
	// Output:
	// CR-A Alajuela
	// CR-C Cartago
	// CR-G Guanacaste
	// CR-H Heredia
	// CR-L Limón
	// CR-P Puntarenas
	// CR-SJ San José
}
