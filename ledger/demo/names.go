package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Name lists. Workers follow Spanish naming: one or two given names and
// two family names (father's, then mother's). Nicaraguan and Panamanian
// mestizo names are the common ones of each country; Ngäbe-Buglé workers,
// who come from the comarca in western Panama to the coffee of Coto Brus
// and Los Santos and the bananas of Talamanca, mostly carry Spanish given
// names of an older, rural and biblical stock and Ngäbe or Spanish family
// names.
var (
	nicMale = []string{
		"José", "Juan", "Carlos", "Luis", "Francisco", "Jorge", "Marvin", "Jairo",
		"Wilmer", "Erick", "Denis", "Norlan", "Byron", "Elvin", "Kevin", "Yader",
		"Freddy", "Álvaro", "Julio", "Róger", "Henry", "Javier", "Pedro", "Santos",
		"Lester", "Noel", "Danilo", "Ervin", "Maykel", "Osman", "Cristhian",
		"Bayardo", "Rommel", "Fabio", "Ramón", "Ernesto", "Edwin", "Isaías",
	}
	nicFemale = []string{
		"María", "Ana", "Rosa", "Martha", "Reyna", "Yolanda", "Karla", "Xiomara",
		"Johana", "Jessenia", "Dayana", "Mercedes", "Lesbia", "Francis", "Scarleth",
		"Ileana", "Tania", "Yessenia", "Carmen", "Fátima", "Meyling", "Heydi",
		"Ruth", "Auxiliadora", "Jacqueline", "Massiel", "Fabiola", "Gloria",
	}
	nicFamily = []string{
		"López", "García", "Martínez", "González", "Hernández", "Rodríguez", "Pérez",
		"Sánchez", "Ramírez", "Flores", "Castillo", "Mendoza", "Espinoza",
		"Gutiérrez", "Rivera", "Torres", "Reyes", "Cruz", "Morales", "Ortiz",
		"Blandón", "Obando", "Sequeira", "Chavarría", "Zeledón", "Rugama", "Úbeda",
		"Lanzas", "Aráuz", "Jarquín", "Talavera", "Picado", "Membreño",
		"Altamirano", "Baltodano", "Gaitán", "Cajina", "Somarriba", "Tinoco",
		"Vanegas", "Herrera", "Aguilar", "Centeno", "Dávila", "Urbina", "Moncada",
	}

	panMale = []string{
		"Luis", "José", "Carlos", "Ricardo", "Eduardo", "Rolando", "Omar", "Edwin",
		"Rubén", "Alexis", "Abdiel", "Yariel", "Ariel", "Aníbal", "Eric", "Iván",
		"Roberto", "Jorge", "Manuel", "Ezequiel",
	}
	panFemale = []string{
		"Yarisel", "Itzel", "Yamileth", "Anayansi", "Yaritza", "Marisol", "Dalys",
		"Eneida", "Gisela", "Nitzia", "Yessica", "Massiel", "Aracelis", "Ana",
	}
	panFamily = []string{
		"Rodríguez", "González", "Pérez", "Sánchez", "Castillo", "Batista",
		"De Gracia", "Samudio", "Vásquez", "Quintero", "Pinzón", "Caballero",
		"Atencio", "Jaén", "Morán", "Guerra", "Ríos", "Araúz", "Saldaña",
		"Serrano", "Núñez", "Villarreal", "Miranda", "Espinosa",
	}

	ngabeMale = []string{
		"Eliseo", "Abelino", "Evangelisto", "Toribio", "Bernardino", "Eustacio",
		"Cirilo", "Melquíades", "Florentino", "Agapito", "Erasmo", "Onésimo",
		"Dámaso", "Hilario", "Teófilo", "Celestino", "Santiago", "Nemesio",
		"Anselmo", "Rogelio", "Gumercindo", "Fidel",
	}
	ngabeFemale = []string{
		"Hermelinda", "Juanita", "Rufina", "Clementina", "Petronila", "Isidora",
		"Florinda", "Eulalia", "Marcelina", "Bernarda", "Celestina", "Domitila",
		"Aurelia", "Victoria", "Elida",
	}
	ngabeFamily = []string{
		"Montezuma", "Bejerano", "Abrego", "Santos", "Carrera", "Miranda",
		"Palacio", "Bonilla", "Jiménez", "Salina", "Morales", "Rodríguez",
		"Quintero", "Carpintero", "Tugri", "Atencio", "Pineda", "Castillo",
		"Smith", "Julián", "Gallardo", "Mendoza",
	}
)

// origin is where a worker comes from; it decides names, documents and
// border posts.
type origin int

const (
	fromNicaragua origin = iota
	fromPanama           // mestizo Panamanian
	fromNgabe            // Ngäbe-Buglé, Panamanian
)

func (o origin) nationality() string {
	if o == fromNicaragua {
		return "NIC"
	}
	return "PAN"
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// twoDistinct returns two different items of xs.
func twoDistinct(r *rand.Rand, xs []string) (string, string) {
	i := r.IntN(len(xs))
	j := r.IntN(len(xs) - 1)
	if j >= i {
		j++
	}
	return xs[i], xs[j]
}

// personName returns plausible given names and family names.
func personName(r *rand.Rand, o origin, sex string) (given, family string) {
	var male, female, fam []string
	switch o {
	case fromNicaragua:
		male, female, fam = nicMale, nicFemale, nicFamily
	case fromPanama:
		male, female, fam = panMale, panFemale, panFamily
	default:
		male, female, fam = ngabeMale, ngabeFemale, ngabeFamily
	}
	names := male
	if sex == "F" {
		names = female
	}
	given = pick(r, names)
	if r.IntN(100) < 55 {
		a, b := twoDistinct(r, names)
		given = a + " " + b
		if sex == "F" && o == fromNicaragua && r.IntN(3) == 0 {
			given = "María " + pick(r, names[1:])
		}
	}
	f1, f2 := pick(r, fam), pick(r, fam)
	return given, f1 + " " + f2
}

// document is a generated travel document.
type document struct {
	typ, number, country string
}

// nicMunicipalities are the three-digit place-of-registration prefixes used
// for generated Nicaraguan cédulas (Managua, León, Chinandega, Matagalpa,
// Estelí, Rivas, Chontales, …).
var nicMunicipalities = []string{"001", "041", "081", "121", "161", "201", "241", "281", "291", "321", "361", "401", "441", "481", "521", "561", "601", "616"}

// newDocument returns a document of the usual kind for a worker of that
// origin: Nicaraguans mostly a passport (C and 8 digits), some a cédula
// (municipality, date of birth ddmmyy, serial, check letter:
// 281-120890-0003K); mestizo Panamanians mostly a passport (PA and 7
// digits), Ngäbe workers their Panamanian cédula (province-book-entry;
// 12 is the Ngäbe-Buglé comarca, 4 Chiriquí, 1 Bocas del Toro).
func newDocument(r *rand.Rand, o origin, dob time.Time) document {
	switch o {
	case fromNicaragua:
		if r.IntN(100) < 85 {
			return document{"passport", fmt.Sprintf("C0%07d", r.IntN(10_000_000)), "NIC"}
		}
		return document{"national_id", fmt.Sprintf("%s-%s-%04d%c", pick(r, nicMunicipalities), dob.Format("020106"), 1+r.IntN(9999), 'A'+rune(r.IntN(25))), "NIC"}
	case fromPanama:
		if r.IntN(100) < 80 {
			return document{"passport", fmt.Sprintf("PA%07d", r.IntN(10_000_000)), "PAN"}
		}
		return document{"national_id", fmt.Sprintf("%d-%d-%d", pick(r, []int{1, 2, 4, 4, 4, 6, 7, 8, 8, 9}), 1+r.IntN(999), 1+r.IntN(9999)), "PAN"}
	default:
		province := 12
		switch n := r.IntN(100); {
		case n >= 85:
			province = 1
		case n >= 60:
			province = 4
		}
		return document{"national_id", fmt.Sprintf("%d-%d-%d", province, 1+r.IntN(999), 1+r.IntN(9999)), "PAN"}
	}
}

// docKey is how the service tells documents apart: issuing country and
// number without separators.
func (d document) key() string {
	return d.country + "/" + strings.NewReplacer("-", "", " ", "").Replace(d.number)
}
