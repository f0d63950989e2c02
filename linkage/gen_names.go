package linkage

// Name tables of the synthetic generator. The names are common given names
// and surnames of the regions Flare serves (South and South-East Asia, the
// Middle East and North Africa, Latin America, Eastern Europe, West Africa,
// the English-speaking world); the variant tables hold the transliterations
// and nicknames that make one person's name differ between registers.

var genGivenNames = []string{
	"mohammed", "ahmed", "ali", "hassan", "hussein", "omar", "yusuf", "ibrahim", "abdullah", "khalid",
	"fatima", "aisha", "khadija", "maryam", "zainab", "amina", "layla", "nour", "salma", "hana",
	"ram", "krishna", "suresh", "ramesh", "rajesh", "sunil", "anil", "vijay", "arjun", "rahul",
	"priya", "lakshmi", "sita", "anita", "sunita", "pooja", "kavita", "deepa", "radha", "meena",
	"nguyen", "minh", "thanh", "hoa", "lan", "mai", "anh", "tuan", "hung", "linh",
	"wei", "jun", "ming", "hui", "xiao", "li", "yan", "jing", "fang", "lei",
	"somchai", "somsak", "malee", "siriporn", "niran", "arun", "kanya", "chai", "porn", "ratana",
	"jose", "juan", "luis", "carlos", "miguel", "pedro", "manuel", "francisco", "jorge", "antonio",
	"maria", "ana", "carmen", "rosa", "lucia", "isabel", "elena", "sofia", "juana", "teresa",
	"aleksandr", "sergei", "dmitri", "ivan", "andrei", "nikolai", "yuri", "vladimir", "oleg", "mikhail",
	"olga", "natalia", "tatiana", "ekaterina", "irina", "svetlana", "anna", "yelena", "galina", "marina",
	"kwame", "kofi", "kojo", "yaw", "emeka", "chinedu", "oluwaseun", "abdou", "moussa", "mamadou",
	"ama", "akosua", "adwoa", "ngozi", "chioma", "aminata", "fatou", "mariama", "awa", "binta",
	"john", "james", "william", "robert", "michael", "thomas", "joseph", "richard", "daniel", "alexander",
	"mary", "elizabeth", "margaret", "katherine", "jennifer", "patricia", "susan", "sarah", "jessica", "emily",
	"jean", "pierre", "marie", "ines", "joao", "goncalo", "francisca", "rodrigo", "beatriz", "tiago",
}

var genSurnames = []string{
	"khan", "ahmed", "ali", "hussain", "rahman", "islam", "hossain", "uddin", "chowdhury", "begum",
	"sharma", "singh", "kumar", "patel", "gupta", "yadav", "thapa", "gurung", "tamang", "shrestha",
	"nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang",
	"wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou",
	"saelim", "srisuk", "wongsa", "chaiyaporn", "boonmee", "santos", "reyes", "cruz", "bautista", "garcia",
	"rodriguez", "martinez", "hernandez", "lopez", "gonzalez", "perez", "sanchez", "ramirez", "torres", "flores",
	"ivanov", "smirnov", "kuznetsov", "popov", "sokolov", "petrov", "volkov", "kovalenko", "shevchenko", "bondarenko",
	"mensah", "owusu", "boateng", "asante", "okafor", "okeke", "adeyemi", "diallo", "traore", "coulibaly",
	"smith", "johnson", "williams", "brown", "jones", "miller", "davis", "wilson", "taylor", "anderson",
	"haddad", "mansour", "khalil", "nasser", "saleh", "hamdan", "aziz", "karimi", "hosseini", "mohammadi",
	"silva", "oliveira", "souza", "pereira", "costa", "ferreira", "almeida", "gomes", "ribeiro", "carvalho",
}

// genSyllables build the long tail of rarer surnames (Zipf-distributed
// picks of real surnames cover the common ones).
var genSyllables = []string{
	"ka", "ri", "mo", "ta", "sa", "ne", "lo", "vi", "da", "ro", "ba", "ki", "no", "ha", "mi", "to", "ra", "na",
	"shi", "che", "gu", "pa", "de", "la", "ma", "wo", "yu", "zi", "an", "el", "or", "in", "ul", "ek", "ov", "ez",
}

// genVariants are spellings of one name that registers use
// interchangeably: transliterations from Arabic, Cyrillic, Devanagari and
// Chinese, spellings with and without diacritics, and nicknames.
var genVariants = map[string][]string{
	"mohammed": {"muhammad", "mohamed", "mohammad", "muhammed", "mohd", "mo"}, "ahmed": {"ahmad", "ahmet"},
	"hussein": {"husain", "hussain", "husein"}, "hussain": {"hussein", "husain"}, "yusuf": {"yousef", "youssef", "yusif"},
	"omar": {"umar"}, "ibrahim": {"ebrahim", "ibraheem"}, "abdullah": {"abdallah", "abdulla"}, "khalid": {"khaled"},
	"fatima": {"fatma", "fatimah", "fathima"}, "aisha": {"ayesha", "aishah", "aysha"}, "khadija": {"khadijah", "hadiza"},
	"maryam": {"mariam", "meryem"}, "zainab": {"zaynab", "zeinab"}, "layla": {"leila", "laila"}, "nour": {"noor", "nur"},
	"hassan": {"hasan"}, "rahman": {"rehman"}, "chowdhury": {"choudhury", "chaudhary"}, "hossain": {"hosain", "hussain"},
	"lakshmi": {"laxmi"}, "krishna": {"krisna"}, "sharma": {"sarma"}, "shrestha": {"shresta"},
	"aleksandr": {"alexander", "oleksandr", "sasha"}, "sergei": {"sergey", "serhiy"}, "dmitri": {"dmitry", "dima"},
	"natalia": {"natalya", "natasha"}, "yuri": {"yury", "iurii"}, "tatiana": {"tatyana", "tanya"}, "yelena": {"elena", "olena"},
	"nikolai": {"nikolay", "mykola"}, "andrei": {"andrey", "andriy"}, "mikhail": {"mikhael", "misha"}, "olga": {"olha"},
	"ekaterina": {"katerina", "yekaterina", "katya"}, "kovalenko": {"kowalenko"}, "shevchenko": {"schewtschenko"},
	"ivanov": {"ivanoff"}, "zhang": {"chang"}, "wang": {"wong"}, "li": {"lee"}, "chen": {"chan"}, "liu": {"lau"},
	"zhou": {"chou"}, "huang": {"hwang"}, "nguyen": {"nguyễn", "nguyin"}, "tran": {"trần"}, "pham": {"phạm"},
	"le": {"lê"}, "hoang": {"hoàng"}, "jose": {"josé", "pepe"}, "maria": {"maría", "masha"}, "joao": {"joão"},
	"goncalo": {"gonçalo"}, "ines": {"inês"}, "lucia": {"lucía"}, "ramirez": {"ramírez"}, "perez": {"pérez"},
	"lopez": {"lópez"}, "hernandez": {"hernández"}, "gonzalez": {"gonzález"}, "sanchez": {"sánchez"},
	"martinez": {"martínez"}, "rodriguez": {"rodríguez"}, "francisco": {"paco", "pancho"}, "manuel": {"manolo"},
	"william": {"bill", "will"}, "robert": {"bob", "rob"}, "elizabeth": {"liz", "beth"}, "katherine": {"kate", "catherine"},
	"margaret": {"maggie", "peggy"}, "james": {"jim", "jimmy"}, "john": {"jack", "jon"}, "michael": {"mike"},
	"richard": {"rick", "dick"}, "thomas": {"tom"}, "joseph": {"joe"}, "daniel": {"dan"}, "alexander": {"alex"},
	"jennifer": {"jen"}, "patricia": {"pat", "patty"}, "susan": {"sue"}, "ivan": {"vanya"}, "emeka": {"chukwuemeka"},
	"oluwaseun": {"seun"}, "mamadou": {"mamadu"}, "moussa": {"musa"}, "aminata": {"aminatou"}, "abdou": {"abdu"},
	"somchai": {"somchay"}, "siriporn": {"siriphon"}, "ratana": {"rattana"}, "kwame": {"kwami"},
}

var genStreets = []string{
	"main", "market", "station", "river", "church", "mosque", "temple", "garden", "factory", "mill",
	"harbour", "canal", "bridge", "hill", "lake", "park", "school", "hospital", "railway", "airport",
	"palm", "mango", "coconut", "rice", "cotton", "silk", "brick", "salt", "fish", "cane",
}

var genStreetTypes = [][2]string{
	{"street", "st"}, {"road", "rd"}, {"avenue", "ave"}, {"lane", "ln"}, {"close", "cl"}, {"drive", "dr"},
}
