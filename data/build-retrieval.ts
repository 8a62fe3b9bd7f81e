// Builds data/retrieval/: a small passage-retrieval set in BEIR layout, written by the project itself. Every
// passage is a short encyclopedia-style entry about one invented thing (a town, a river, a painter, a dish, …:
// 14 kinds), its facts drawn with seed 42 from the hand-written lists below and set in hand-written sentence
// templates; every question is a hand-written question template filled with one passage's facts. Nothing is
// taken from another data set; all names and facts are made up.
//   corpus.parquet      id, title, text           the test passages (one per entity)
//   queries.parquet     id, text                  one question per test passage
//   qrels.parquet       query_id, corpus_id, score (1)
//   train_pairs.parquet anchor, positive          two questions per passage about other entities (disjoint)
// A question names its entity, or (about a quarter) describes it by two of its facts; either way exactly one
// passage answers it: the script checks that the name, or every fact of the description, occurs in no other
// passage of its split, and fails otherwise. Rerun after editing: `node --import tsx data/build-retrieval.ts`.
import { mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { writeParquet } from "../src/data/parquet.ts";
import { createRandom } from "../src/util/random.ts";

const SEED = 42;
const FOLDER = join(dirname(fileURLToPath(import.meta.url)), "retrieval");
/** Entities per kind: the first TEST_PER_KIND[i] go to the test corpus, the rest to the train pairs. */
const PER_KIND = 58;
const TEST_TOTAL = 300;
const QUESTIONS_PER_TRAIN_PASSAGE = 2;
/** Share of questions that describe their entity by two facts instead of naming it. */
const DESCRIBED_SHARE = 0.25;

// ---------------------------------------------------------------- seeded choices

const random = createRandom(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)];
const between = (low: number, high: number): number => low + Math.floor(random.next() * (high - low + 1));
const chance = (p: number): boolean => random.next() < p;
function shuffled<T>(items: readonly T[]): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}
/** 12400 → "12,400". */
const thousands = (value: number): string => value.toLocaleString("en-US");
const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** Names already given to anything (entities, people, places in facts), so no name means two things. */
const usedNames = new Set<string>();
function unique(make: () => string): string {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const name = make();
    if (!usedNames.has(name.toLowerCase())) {
      usedNames.add(name.toLowerCase());
      return name;
    }
  }
  throw new Error("ran out of names: add to the name lists");
}
const compose = (heads: readonly string[], tails: readonly string[]) => () => pick(heads) + pick(tails);

// ---------------------------------------------------------------- people

const WOMEN = ["Ada", "Alma", "Berta", "Clara", "Dora", "Edith", "Elena", "Freya", "Greta", "Hanna", "Ida", "Ines", "Iris", "Johanna", "Kira", "Lena", "Lucia", "Marta", "Mila", "Nora", "Olga", "Petra", "Rosa", "Sara", "Selma", "Tilda", "Vera", "Wanda", "Yara", "Zora"];
const MEN = ["Anton", "Bruno", "Carl", "David", "Emil", "Felix", "Gustav", "Hugo", "Ivan", "Jonas", "Karl", "Leo", "Lukas", "Marco", "Nils", "Oscar", "Pavel", "Rafael", "Simon", "Tomas", "Victor", "Walter", "Yusuf", "Otto", "Henrik", "Arne", "Boris", "Dario", "Elias", "Mats"];
const SURNAMES = ["Abbott", "Albers", "Berg", "Brandt", "Castell", "Crane", "Dahl", "Dorn", "Ekman", "Falk", "Fischer", "Greaves", "Grund", "Hale", "Holt", "Ibsen", "Jansen", "Keller", "Kovac", "Lind", "Lorenz", "Marsh", "Meyer", "Moreau", "Nagel", "Novak", "Olsen", "Pike", "Quist", "Reyes", "Rowe", "Sauer", "Stone", "Strand", "Thorne", "Tully", "Vance", "Varga", "Weber", "Wilde", "Winter", "Young", "Zeller", "Marlow", "Ferris", "Hartley", "Lang", "Moss", "Sorensen", "Bishop"];

interface Person {
  name: string;
  she: boolean;
}
function person(): Person {
  const she = chance(0.5);
  return { name: unique(() => `${pick(she ? WOMEN : MEN)} ${pick(SURNAMES)}`), she };
}
const they = (p: Person) => (p.she ? "she" : "he");
const their = (p: Person) => (p.she ? "her" : "his");

// ---------------------------------------------------------------- the kinds of passages

type Facts = Record<string, string>;

interface Entity {
  kind: string;
  /** The name questions use; it occurs in no other passage. */
  name: string;
  title: string;
  text: string;
  facts: Facts;
}

interface Described {
  text: string;
  /** Every one of these occurs in the passage; no other passage of the split holds all of them. */
  needles: string[];
}

interface Kind {
  kind: string;
  make(): { name: string; title?: string; facts: Facts; sentences: string[] };
  /** Questions that name the entity, by the fact they ask about (one template is picked). */
  ask: Record<string, ((f: Facts) => string)[]>;
  /** Questions that describe the entity by facts instead of naming it. */
  describe: ((f: Facts) => Described)[];
}

const DIRECTIONS = ["north", "south", "east", "west"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const COLOURS = ["red", "blue", "green", "yellow", "white", "black", "orange", "purple", "grey", "golden"];

const PLACE_HEADS = ["Ash", "Bram", "Cal", "Dun", "Elm", "Fair", "Glen", "Hal", "Ivy", "Kings", "Lang", "Mill", "North", "Oak", "Pen", "Red", "Stan", "Thorn", "Wel", "Wil", "Wood", "Yar", "Bar", "Cole", "Dray", "Ever", "Fox", "Gold", "High", "Kir", "Lark", "Mor", "Ned", "Ost", "Pel", "Rook", "Sand", "Tam", "Vale", "West"];
const PLACE_TAILS = ["bridge", "brook", "bury", "by", "combe", "dale", "field", "ford", "gate", "ham", "haven", "holm", "hurst", "ley", "mere", "moor", "port", "stead", "stow", "ton", "wick", "worth"];
const placeName = compose(PLACE_HEADS, PLACE_TAILS);

const town: Kind = {
  kind: "town",
  make() {
    const name = unique(placeName);
    const f: Facts = {
      name,
      type: pick(["fishing", "market", "mining", "university", "harbour", "railway", "farming", "mill", "spa", "wine"]),
      location: pick(["on the coast", "in a wide valley", "at the foot of the mountains", "on a small island", "beside a large lake", "on a hill above the plains", "at the edge of a forest", "on the banks of a river"]),
      direction: pick(DIRECTIONS),
      population: thousands(between(12, 480) * 100),
      year: String(between(900, 1850)),
      founders: pick(["wool traders", "monks", "fishermen", "silver miners", "a band of soldiers", "Flemish weavers", "salt merchants", "a local bishop", "farmers from the hills", "shipbuilders"]),
      product: pick(["blue glass", "wool blankets", "copper pots", "goat cheese", "paper lanterns", "wooden toys", "smoked fish", "apple cider", "clay pipes", "silk ribbons", "church bells", "leather boots", "honey cakes", "sea salt", "strong rope", "violins", "pocket watches", "beeswax candles", "painted pottery", "fine lace"]),
      festival: pick(["lantern festival", "boat race", "cheese fair", "kite festival", "horse fair", "music festival", "harvest fair", "winter market", "flower parade", "fire festival", "chess tournament", "pumpkin show"]),
      month: pick(MONTHS),
      landmark: pick(["an old stone bridge", "a round watchtower", "a painted church", "a covered market hall", "a ruined castle", "a glass palace", "a tall lighthouse", "a water mill", "a clock tower", "a botanical garden", "a salt mine open to visitors", "a museum of toys"]),
    };
    return {
      name,
      facts: f,
      sentences: [
        `${name} is a ${f.type} town ${f.location} in the ${f.direction} of the country.`,
        `About ${f.population} people live there.`,
        `It was founded in ${f.year} by ${f.founders}.`,
        `The town is known for its ${f.product}, and every ${f.month} it holds a ${f.festival}.`,
        `Visitors come to see ${f.landmark}.`,
      ],
    };
  },
  ask: {
    population: [(f) => `How many people live in ${f.name}?`, (f) => `What is the population of ${f.name}?`, (f) => `How many inhabitants does ${f.name} have?`],
    year: [(f) => `When was ${f.name} founded?`, (f) => `In which year was the town of ${f.name} established?`, (f) => `How old is the town of ${f.name}?`],
    founders: [(f) => `Who founded ${f.name}?`, (f) => `Who started the town of ${f.name}?`],
    product: [(f) => `What is ${f.name} known for?`, (f) => `What is the town of ${f.name} famous for making?`, (f) => `Which goods come from ${f.name}?`],
    festival: [(f) => `What festival does ${f.name} hold every year?`, (f) => `Which event takes place in ${f.name} each ${f.month}?`],
    landmark: [(f) => `What do visitors come to ${f.name} to see?`, (f) => `What is the main sight in ${f.name}?`],
    location: [(f) => `Where is ${f.name}?`, (f) => `In which part of the country is ${f.name}?`],
  },
  describe: [
    (f) => ({ text: `Which town is famous for its ${f.product} and holds a ${f.festival}?`, needles: [f.product, f.festival] }),
    (f) => ({ text: `Which town was founded by ${f.founders} in ${f.year}?`, needles: [f.founders, f.year] }),
  ],
};

const RIVER_HEADS = ["Al", "Ber", "Cas", "Dor", "Es", "Fal", "Gar", "Is", "Kel", "Lem", "Mar", "Nev", "Or", "Ran", "Sel", "Tev", "Ur", "Vel", "Wen", "Yl"];
const RIVER_TAILS = ["ane", "ber", "da", "ent", "ine", "on", "ora", "ey", "ish", "ova", "und", "ar"];

const river: Kind = {
  kind: "river",
  make() {
    const base = unique(compose(RIVER_HEADS, RIVER_TAILS));
    const name = `River ${base}`;
    const f: Facts = {
      name,
      length: String(between(40, 1900)),
      source: pick(["in a peat bog", "from a glacier", "from a spring in the hills", "in a mountain lake", "from a cave", "in a marsh"]),
      direction: pick(DIRECTIONS),
      through: pick(["farmland", "a deep gorge", "thick pine forest", "a chain of small lakes", "the old coal fields", "vineyards", "a wide sandy plain", "several large cities"]),
      mouth: pick(["the northern sea", "the western ocean", "a salt marsh", "a great inland lake", "the southern gulf", "a wide delta"]),
      fish: pick(["trout", "salmon", "eels", "pike", "carp", "sturgeon", "catfish", "perch", "grayling", "river crabs"]),
      use: pick(["Barges carry coal along it", "Its water turns many old mills", "A dam on the river makes electricity", "Farmers use its water to grow rice", "Timber is floated down it every spring", "Ferries cross it at a dozen places"]),
      month: pick(MONTHS),
    };
    return {
      name,
      facts: f,
      sentences: [
        `The ${name} is ${f.length} kilometres long.`,
        `It rises ${f.source} and flows ${f.direction} through ${f.through} before it reaches ${f.mouth}.`,
        `The river is home to ${f.fish}.`,
        `${f.use}, and it often floods in ${f.month}.`,
      ],
    };
  },
  ask: {
    length: [(f) => `How long is the ${f.name}?`, (f) => `What is the length of the ${f.name}?`],
    source: [(f) => `Where does the ${f.name} begin?`, (f) => `Where is the source of the ${f.name}?`],
    mouth: [(f) => `Where does the ${f.name} end?`, (f) => `Into what does the ${f.name} flow?`],
    fish: [(f) => `What fish live in the ${f.name}?`, (f) => `Which fish can be caught in the ${f.name}?`],
    month: [(f) => `In which month does the ${f.name} flood?`, (f) => `When does the ${f.name} usually flood?`],
    through: [(f) => `What land does the ${f.name} flow through?`],
  },
  describe: [
    (f) => ({ text: `Which river is ${f.length} kilometres long?`, needles: [`${f.length} kilometres`] }),
    (f) => ({ text: `Which river rises ${f.source} and flows through ${f.through}?`, needles: [f.source, f.through] }),
  ],
};

const MOUNT_HEADS = ["Kor", "Bal", "Ghar", "Tor", "Sken", "Hrav", "Dra", "Vor", "Zan", "Kal", "Brun", "Tyr", "Ulm", "Pir", "Grim", "Sar"];
const MOUNT_TAILS = ["ak", "ath", "en", "gar", "il", "orn", "un", "ek", "ay", "ust", "oth"];

const mountain: Kind = {
  kind: "mountain",
  make() {
    const name = `Mount ${unique(compose(MOUNT_HEADS, MOUNT_TAILS))}`;
    const climber = person();
    const f: Facts = {
      name,
      shape: pick(["steep", "rounded", "jagged", "twin-peaked", "flat-topped", "lonely"]),
      height: thousands(between(1200, 7800)),
      direction: pick(DIRECTIONS),
      year: String(between(1780, 1960)),
      climber: climber.name,
      cover: pick(["pine forest", "beech woods", "grass and heather", "loose grey rock", "ice fields", "alpine meadows"]),
      animal: pick(["wild goats", "snow leopards", "eagles", "marmots", "mountain sheep", "black bears", "ravens", "lynx"]),
      extra: pick(["A cable car runs to the top.", "A monastery stands on its eastern ridge.", "It is an old volcano.", "Snow stays on its summit all year.", "A famous ski race starts near the summit.", "Its north face is one of the hardest climbs in the world."]),
    };
    return {
      name,
      facts: f,
      sentences: [
        `${name} is a ${f.shape} peak ${f.height} metres high in the ${f.direction}ern highlands.`,
        `It was first climbed in ${f.year} by ${f.climber}.`,
        `Its slopes are covered in ${f.cover}, and ${f.animal} live near the summit.`,
        f.extra,
      ],
    };
  },
  ask: {
    height: [(f) => `How high is ${f.name}?`, (f) => `What is the height of ${f.name}?`, (f) => `How tall is ${f.name}?`],
    climber: [(f) => `Who first climbed ${f.name}?`, (f) => `Who was the first person to reach the top of ${f.name}?`],
    year: [(f) => `When was ${f.name} first climbed?`, (f) => `In what year did someone first reach the summit of ${f.name}?`],
    cover: [(f) => `What covers the slopes of ${f.name}?`],
    animal: [(f) => `Which animals live near the top of ${f.name}?`, (f) => `What wildlife can be seen on ${f.name}?`],
  },
  describe: [
    (f) => ({ text: `Which mountain did ${f.climber} climb first?`, needles: [f.climber] }),
    (f) => ({ text: `Which peak is ${f.height} metres high?`, needles: [`${f.height} metres`] }),
  ],
};

const INVENTIONS = [
  ["the folding microscope", "let doctors carry a microscope in a coat pocket"],
  ["a pocket barometer", "warned sailors of storms"],
  ["a water filter of sand and charcoal", "made river water safe to drink"],
  ["the spring-driven music box", "played a tune without a musician"],
  ["a lamp that burns without smoke", "lit coal mines safely"],
  ["a machine for sorting letters", "sped up the post office"],
  ["the first electric doorbell", "rang without a string"],
  ["a telescope with two mirrors", "showed the rings of distant planets"],
  ["a bicycle with a chain drive", "made cycling faster"],
  ["a cooling box for milk", "kept milk fresh on long journeys"],
  ["a loom controlled by punched cards", "wove patterns without a skilled weaver"],
  ["a vaccine against sheep fever", "saved farmers' flocks"],
  ["a camera with a fast shutter", "photographed running horses"],
  ["a paint that glows in the dark", "marked exits in theatres"],
  ["a pump driven by the wind", "drained wet fields"],
  ["a clock that keeps time at sea", "helped ships find their position"],
];
const FIELDS = ["chemist", "physicist", "engineer", "astronomer", "botanist", "doctor", "mathematician", "geologist"];
const SCHOOLS = ["a school of mines", "a naval academy", "a medical college", "a technical university", "a small agricultural college", "a famous old university"];
const PRIZES = ["a gold medal of the science academy", "the national prize for invention", "a royal medal", "an honorary doctorate", "the prize of the engineers' guild"];

const scientist: Kind = {
  kind: "scientist",
  make() {
    const p = person();
    const born = between(1740, 1900);
    const [invention, purpose] = pick(INVENTIONS);
    const f: Facts = {
      name: p.name,
      born: String(born),
      died: String(born + between(38, 92)),
      field: pick(FIELDS),
      home: pick(["in a fishing village", "in a mining town", "in the capital", "on a farm in the hills", "in a busy port", "on a small island"]),
      invention,
      purpose,
      school: pick(SCHOOLS),
      job: pick(["a lens grinder", "a railway engineer", "a teacher", "a ship's doctor", "a clockmaker", "a lighthouse keeper", "a pharmacist", "an army officer"]),
      prize: pick(PRIZES),
      prizeYear: String(born + between(30, 60)),
      they: they(p),
      their: their(p),
    };
    return {
      name: p.name,
      facts: f,
      sentences: [
        `${p.name} (${f.born}–${f.died}) was a ${f.field} who grew up ${f.home}.`,
        `${capitalize(f.they)} is best known for inventing ${f.invention}, which ${f.purpose}.`,
        `${capitalize(f.they)} studied at ${f.school} and then worked as ${f.job}.`,
        `In ${f.prizeYear} ${f.they} received ${f.prize}.`,
      ],
    };
  },
  ask: {
    invention: [(f) => `What did ${f.name} invent?`, (f) => `What is ${f.name} best known for?`],
    born: [(f) => `When was ${f.name} born?`, (f) => `In which year did ${f.name} die?`],
    school: [(f) => `Where did ${f.name} study?`],
    job: [(f) => `What job did ${f.name} have?`, (f) => `How did ${f.name} earn a living?`],
    prize: [(f) => `What prize did ${f.name} receive?`, (f) => `Which award was given to ${f.name}?`],
    home: [(f) => `Where did ${f.name} grow up?`],
  },
  describe: [
    (f) => ({ text: `Who invented ${f.invention} and worked as ${f.job}?`, needles: [f.invention, f.job] }),
    (f) => ({ text: `Which ${f.field} was born in ${f.born} and received ${f.prize}?`, needles: [f.field, f.born, f.prize] }),
  ],
};

const TITLE_ADJECTIVES = ["Silent", "Golden", "Broken", "Hidden", "Last", "Frozen", "Burning", "Quiet", "Lonely", "Scarlet", "Distant", "Empty", "Sleeping", "Painted", "Forgotten", "Crooked"];
const TITLE_NOUNS = ["Harbour", "Orchard", "Lantern", "Staircase", "Garden", "Window", "Bell", "Road", "Island", "Mirror", "Meadow", "Kitchen", "Violin", "Carriage", "Tower", "Fountain"];
const titleName = () => `The ${pick(TITLE_ADJECTIVES)} ${pick(TITLE_NOUNS)}`;

const painter: Kind = {
  kind: "painter",
  make() {
    const p = person();
    const work = unique(titleName);
    const f: Facts = {
      name: p.name,
      born: String(between(1500, 1920)),
      subject: pick(["portraits of sailors", "still lifes of fruit", "winter landscapes", "city streets at night", "horses", "wild flowers", "stormy seas", "old farmhouses", "dancers", "markets and crowds"]),
      medium: pick(["oil paint", "watercolours", "ink", "chalk", "tempera", "pastels"]),
      colours: pick(["dark browns", "bright yellows", "pale blues", "deep reds", "soft greens", "black and white"]),
      work,
      scene: pick(["a girl reading by a window", "fishing boats in a storm", "a wedding in a village", "a fox in the snow", "an old man playing cards", "a ship leaving port", "children skating on a pond", "a bakery at dawn"]),
      museum: pick(["the national gallery", "a small museum by the sea", "the city art museum", "a private collection", "the royal palace", "a cathedral"]),
      they: they(p),
      their: their(p),
    };
    return {
      name: p.name,
      facts: f,
      sentences: [
        `${p.name} was a painter born in ${f.born}.`,
        `${capitalize(f.they)} painted mostly ${f.subject} in ${f.colours}, working in ${f.medium}.`,
        `${capitalize(f.their)} most famous picture, "${work}", shows ${f.scene} and hangs in ${f.museum}.`,
      ],
    };
  },
  ask: {
    subject: [(f) => `What did ${f.name} paint?`, (f) => `What are the paintings of ${f.name} about?`],
    work: [(f) => `What is the most famous painting by ${f.name}?`, (f) => `Which picture made ${f.name} famous?`],
    medium: [(f) => `What material did ${f.name} paint with?`],
    born: [(f) => `When was the painter ${f.name} born?`],
    museum: [(f) => `Where can you see "${f.work}"?`, (f) => `Where does the painting "${f.work}" hang?`],
    scene: [(f) => `What does the painting "${f.work}" show?`],
  },
  describe: [
    (f) => ({ text: `Who painted "${f.work}"?`, needles: [f.work] }),
    (f) => ({ text: `Which painter worked in ${f.medium} and painted ${f.scene}?`, needles: [f.medium, f.scene] }),
  ],
};

const composer: Kind = {
  kind: "composer",
  make() {
    const p = person();
    const work = unique(titleName);
    const born = between(1600, 1930);
    const f: Facts = {
      name: p.name,
      born: String(born),
      instrument: pick(["violin", "piano", "cello", "organ", "flute", "guitar", "harp", "trumpet"]),
      form: pick(["opera", "symphony", "ballet", "song cycle", "string quartet", "mass"]),
      work,
      premiere: String(born + between(22, 60)),
      count: String(between(3, 40)),
      post: pick(["the leader of a court orchestra", "the organist of a cathedral", "a teacher at the music school", "the conductor of the city choir", "a piano teacher to a royal family", "a military bandmaster"]),
      they: they(p),
      their: their(p),
    };
    return {
      name: p.name,
      facts: f,
      sentences: [
        `${p.name}, born in ${f.born}, was a composer and ${f.instrument} player.`,
        `${capitalize(f.they)} wrote ${f.count} works, but is remembered above all for the ${f.form} "${work}", first performed in ${f.premiere}.`,
        `For many years ${f.they} was ${f.post}.`,
      ],
    };
  },
  ask: {
    instrument: [(f) => `What instrument did ${f.name} play?`, (f) => `Which instrument was ${f.name} known for playing?`],
    work: [(f) => `What is the best-known work of ${f.name}?`, (f) => `Which piece of music is ${f.name} remembered for?`],
    count: [(f) => `How many pieces did ${f.name} compose?`],
    post: [(f) => `What position did ${f.name} hold?`, (f) => `Where did the composer ${f.name} work?`],
    premiere: [(f) => `When was "${f.work}" first performed?`],
  },
  describe: [
    (f) => ({ text: `Who composed the ${f.form} "${f.work}"?`, needles: [f.work] }),
    (f) => ({ text: `Which ${f.instrument} player was ${f.post}?`, needles: [f.instrument, f.post] }),
  ],
};

const PLOTS = [
  "a lighthouse keeper who finds a message in a bottle",
  "two sisters who run a bakery through a long winter",
  "a boy who trains a wild horse",
  "a detective who solves a theft on a night train",
  "a family that moves to a farm after losing its money",
  "a young doctor in a village hit by fever",
  "a soldier walking home after a long war",
  "a girl who builds a flying machine",
  "an old sailor who tells stories to his grandson",
  "a teacher who opens a school for miners' children",
  "a thief who falls in love with a judge",
  "three friends who search for a lost treasure",
  "a mapmaker who gets lost in the desert",
  "a cook on a whaling ship",
  "a clockmaker whose clocks start to run backwards",
  "a widow who runs a hotel by the sea",
];
const SETTINGS = ["a fishing village", "a mining town in the mountains", "a ship crossing the ocean", "a city during a flood", "a castle in the snow", "a circus on the road", "a small island", "a railway station"];

const novel: Kind = {
  kind: "novel",
  make() {
    const title = unique(titleName);
    const author = person();
    const f: Facts = {
      name: title,
      author: author.name,
      year: String(between(1800, 2015)),
      plot: pick(PLOTS),
      setting: pick(SETTINGS),
      pages: String(between(120, 900)),
      reception: pick(["It sold a million copies in its first year.", "Critics disliked it, but readers loved it.", "It won a national book prize.", "It was made into a film.", "It was banned for ten years.", "It is read in many schools."]),
    };
    return {
      name: title,
      facts: f,
      sentences: [
        `"${title}" is a novel by ${f.author}, published in ${f.year}.`,
        `It tells the story of ${f.plot}, and is set in ${f.setting}.`,
        `The book has ${f.pages} pages.`,
        f.reception,
      ],
    };
  },
  ask: {
    author: [(f) => `Who wrote "${f.name}"?`, (f) => `Who is the author of the novel "${f.name}"?`],
    year: [(f) => `When was "${f.name}" published?`, (f) => `In which year did the book "${f.name}" come out?`],
    plot: [(f) => `What is "${f.name}" about?`, (f) => `What story does the novel "${f.name}" tell?`],
    setting: [(f) => `Where is "${f.name}" set?`],
    pages: [(f) => `How many pages does "${f.name}" have?`],
  },
  describe: [
    (f) => ({ text: `Which book did ${f.author} write?`, needles: [f.author] }),
    (f) => ({ text: `Which novel tells the story of ${f.plot} in ${f.setting}?`, needles: [f.plot, f.setting] }),
  ],
};

const ANIMAL_BASES: [string, string][] = [["wren", "bird"], ["finch", "bird"], ["owl", "bird"], ["heron", "bird"], ["frog", "frog"], ["newt", "amphibian"], ["lizard", "lizard"], ["beetle", "beetle"], ["moth", "moth"], ["bat", "bat"], ["shrew", "small mammal"], ["vole", "small mammal"], ["snake", "snake"], ["turtle", "turtle"], ["butterfly", "butterfly"]];
const ANIMAL_PARTS = ["throated", "tailed", "winged", "headed", "eyed", "backed", "footed", "crested"];
const ANIMAL_HABITATS = ["marsh", "desert", "forest", "cave", "river", "mountain", "meadow", "reef", "island", "swamp"];

const animal: Kind = {
  kind: "animal",
  make() {
    const [base, group] = pick(ANIMAL_BASES);
    const name = unique(() => `${pick(COLOURS)}-${pick(ANIMAL_PARTS)} ${pick(ANIMAL_HABITATS)} ${base}`);
    const f: Facts = {
      name: `the ${name}`,
      group,
      habitat: pick(["wet meadows", "the roots of old trees", "dry rocky hills", "mountain streams", "bamboo forests", "sand dunes", "the edges of lakes", "deep caves", "rainforest canopy", "salt marshes"]),
      size: String(between(2, 60)),
      food: pick(["seeds", "snails", "small insects", "fruit", "worms", "tiny fish", "leaves", "flower nectar", "spiders", "mice"]),
      lifespan: String(between(2, 25)),
      habit: pick(["It hunts only at night.", "It sleeps through the winter.", "It changes colour in the autumn.", "It sings loudly at dawn.", "It lives in large groups.", "It is rarely seen by people.", "It builds its nest from mud."]),
    };
    return {
      name: f.name,
      title: capitalize(name),
      facts: f,
      sentences: [
        `${capitalize(f.name)} is a ${group} that lives in ${f.habitat}.`,
        `It grows to about ${f.size} centimetres and feeds mainly on ${f.food}.`,
        `It can live for ${f.lifespan} years.`,
        f.habit,
      ],
    };
  },
  ask: {
    food: [(f) => `What does ${f.name} eat?`, (f) => `What is the diet of ${f.name}?`],
    habitat: [(f) => `Where does ${f.name} live?`, (f) => `What is the habitat of ${f.name}?`],
    size: [(f) => `How big is ${f.name}?`, (f) => `How large does ${f.name} grow?`],
    lifespan: [(f) => `How long does ${f.name} live?`, (f) => `What is the lifespan of ${f.name}?`],
  },
  describe: [(f) => ({ text: `Which ${f.group} lives in ${f.habitat} and eats ${f.food}?`, needles: [f.group, f.habitat, f.food] })],
};

const PLANT_BASES: [string, string][] = [["oak", "tall tree"], ["willow", "tree"], ["rose", "shrub"], ["clover", "low herb"], ["lily", "water plant"], ["thistle", "spiny herb"], ["poppy", "herb"], ["vine", "climbing plant"], ["orchid", "small herb"], ["sage", "small shrub"], ["broom", "bush"], ["heather", "low shrub"]];

const plant: Kind = {
  kind: "plant",
  make() {
    const [base, form] = pick(PLANT_BASES);
    const name = unique(() => `${pick(COLOURS)} ${pick(["mountain", "marsh", "river", "desert", "forest", "island", "hill", "field"])} ${base}`);
    const f: Facts = {
      name: `the ${name}`,
      form,
      place: pick(["damp woods", "sunny hillsides", "the edges of ponds", "sandy soil near the sea", "high mountain meadows", "old walls and ruins"]),
      height: pick(["ten centimetres", "half a metre", "one metre", "two metres", "five metres", "twenty metres"]),
      flowers: pick(["white", "pink", "violet", "yellow", "red", "blue"]),
      month: pick(MONTHS),
      use: pick(["Its bark is used to make a tea against fever.", "Its seeds are ground into flour.", "Its stems are woven into baskets.", "Its leaves give a yellow dye.", "Bees make a dark honey from its flowers.", "Its roots are cooked like potatoes.", "It is poisonous to cattle.", "Its oil is used in soap."]),
    };
    return {
      name: f.name,
      title: capitalize(name),
      facts: f,
      sentences: [
        `${capitalize(f.name)} is a ${f.form} that grows in ${f.place}.`,
        `It reaches a height of ${f.height} and has ${f.flowers} flowers that open in ${f.month}.`,
        f.use,
      ],
    };
  },
  ask: {
    flowers: [(f) => `What colour are the flowers of ${f.name}?`, (f) => `What colour does ${f.name} bloom in?`],
    month: [(f) => `When does ${f.name} flower?`, (f) => `In which month does ${f.name} bloom?`],
    use: [(f) => `What is ${f.name} used for?`, (f) => `How do people use ${f.name}?`],
    height: [(f) => `How tall does ${f.name} grow?`],
    place: [(f) => `Where does ${f.name} grow?`],
  },
  describe: [(f) => ({ text: `Which ${f.form} with ${f.flowers} flowers grows in ${f.place}?`, needles: [f.form, f.flowers, f.place] })],
};

const SHIP_ADJECTIVES = ["Swift", "Northern", "Brave", "Silver", "Restless", "Faithful", "Morning", "Iron", "Wandering", "Royal", "Steady", "Evening"];
const SHIP_NOUNS = ["Star", "Albatross", "Queen", "Pioneer", "Dolphin", "Comet", "Endeavour", "Gull", "Mariner", "Promise", "Voyager", "Falcon"];

const ship: Kind = {
  kind: "ship",
  make() {
    const name = unique(() => `${pick(SHIP_ADJECTIVES)} ${pick(SHIP_NOUNS)}`);
    const captain = person();
    const year = between(1780, 1960);
    const f: Facts = {
      name: `the ${name}`,
      type: pick(["sailing ship", "steamship", "whaling ship", "cargo ship", "passenger liner", "warship", "research vessel", "ferry"]),
      year: String(year),
      length: String(between(20, 240)),
      cargo: pick(["tea", "coal", "emigrants", "mail", "grain", "timber", "wool", "scientists and their instruments"]),
      captain: captain.name,
      destination: pick(["the far south", "the arctic ice", "the spice islands", "the new colonies", "the other side of the ocean", "the northern fishing grounds"]),
      fate: pick([`She sank in a storm in ${year + between(2, 40)}.`, `She was broken up for scrap in ${year + between(20, 60)}.`, "Today she is a museum ship.", `She burned in harbour in ${year + between(2, 40)}.`, `She was lost in the ice in ${year + between(2, 40)}.`, "She still sails as a training ship."]),
    };
    return {
      name: f.name,
      title: name,
      facts: f,
      sentences: [
        `${capitalize(f.name)} was a ${f.type} launched in ${f.year}.`,
        `She was ${f.length} metres long and carried ${f.cargo}.`,
        `Under Captain ${f.captain} she sailed to ${f.destination}.`,
        f.fate,
      ],
    };
  },
  ask: {
    year: [(f) => `When was ${f.name} launched?`, (f) => `In which year was the ship ${f.name.replace(/^the /, "")} built?`],
    captain: [(f) => `Who was the captain of ${f.name}?`, (f) => `Who commanded ${f.name}?`],
    fate: [(f) => `What happened to ${f.name}?`, (f) => `How did ${f.name} end her days?`],
    cargo: [(f) => `What did ${f.name} carry?`],
    length: [(f) => `How long was ${f.name}?`],
  },
  describe: [(f) => ({ text: `Which ship did Captain ${f.captain} command?`, needles: [f.captain] })],
};

const COMPANY_HEADS = ["Vex", "Lum", "Ora", "Tek", "Nor", "Quil", "Bri", "Zan", "Pol", "Kest", "Mir", "Sol", "Dex", "Fen", "Hal", "Jor"];
const COMPANY_TAILS = ["tek", "ora", "ex", "ium", "ica", "ondo", "ant", "io", "ar", "is", "ell", "une"];
const PRODUCTS = ["bicycles", "sewing machines", "typewriters", "pencils", "tinned soup", "radios", "garden tools", "umbrellas", "toy trains", "chocolate", "matches", "tyres", "hearing aids", "printing ink", "wallpaper", "fishing nets"];

const company: Kind = {
  kind: "company",
  make() {
    const name = unique(compose(COMPANY_HEADS, COMPANY_TAILS));
    const founder = person();
    const f: Facts = {
      name,
      product: pick(PRODUCTS),
      year: String(between(1820, 2005)),
      founder: founder.name,
      start: pick(["a garden shed", "a rented kitchen", "an old stable", "a railway arch", "the back room of a shop", "a barn"]),
      staff: thousands(between(4, 900) * 10),
      hq: pick(["in a former brewery", "beside the harbour", "in a glass tower", "in a converted church", "next to the main railway station", "on an old farm outside the city"]),
      fact: pick(["Its logo is a blue fox.", "It is still owned by the founder's family.", "It was the first company in the country to give workers paid holidays.", "It nearly went bankrupt during a war.", "It sells most of its goods abroad.", "Its factory runs on its own hydroelectric power."]),
    };
    return {
      name,
      facts: f,
      sentences: [
        `${name} is a company that makes ${f.product}.`,
        `${f.founder} founded it in ${f.year} in ${f.start}.`,
        `Today it employs about ${f.staff} people, and its headquarters are ${f.hq}.`,
        f.fact,
      ],
    };
  },
  ask: {
    product: [(f) => `What does ${f.name} make?`, (f) => `What products does ${f.name} sell?`],
    founder: [(f) => `Who founded ${f.name}?`, (f) => `Who started the company ${f.name}?`],
    year: [(f) => `When was ${f.name} founded?`, (f) => `How old is ${f.name}?`],
    staff: [(f) => `How many people work for ${f.name}?`, (f) => `How many employees does ${f.name} have?`],
    hq: [(f) => `Where are the headquarters of ${f.name}?`],
  },
  describe: [(f) => ({ text: `Which company did ${f.founder} found?`, needles: [f.founder] })],
};

const DISH_HEADS = ["bor", "kal", "mes", "tup", "ziv", "lan", "ros", "fen", "dal", "pim", "gul", "sar", "tor", "vel"];
const DISH_TAILS = ["ek", "ina", "ota", "ash", "el", "uni", "ar", "ka", "itt", "ane"];
const DISH_BASES = ["stew", "pie", "soup", "bread", "dumplings", "cake", "salad", "pudding", "pancakes", "sausage"];

const dish: Kind = {
  kind: "dish",
  make() {
    const name = unique(() => `${capitalize(pick(DISH_HEADS) + pick(DISH_TAILS))} ${pick(DISH_BASES)}`);
    const [first, second] = shuffled(["potatoes", "lamb", "beans", "cabbage", "mushrooms", "rice", "fish", "pork", "lentils", "onions", "apples", "cheese", "eggs", "barley", "carrots", "plums"]);
    const f: Facts = {
      name,
      course: pick(["main course", "breakfast dish", "dessert", "side dish", "street food", "festive dish"]),
      first,
      second,
      spice: pick(["dill", "caraway", "black pepper", "cinnamon", "garlic", "paprika", "mint", "saffron", "juniper berries"]),
      method: pick(["baked in a clay pot", "fried in butter", "boiled slowly", "grilled over charcoal", "steamed", "smoked over beech wood"]),
      time: pick(["twenty minutes", "an hour", "three hours", "all night", "half a day"]),
      occasion: pick(["weddings", "the new year", "harvest time", "funerals", "the first day of spring", "Sunday lunch", "the end of the fishing season"]),
      origin: pick(["the coast", "the mountain villages", "the capital", "the northern islands", "the wine country", "the river valleys"]),
    };
    return {
      name,
      facts: f,
      sentences: [
        `${name} is a ${f.course} made with ${f.first}, ${f.second} and ${f.spice}.`,
        `It is ${f.method} for ${f.time}.`,
        `The dish comes from ${f.origin}, where it is eaten at ${f.occasion}.`,
      ],
    };
  },
  ask: {
    ingredients: [(f) => `What is in ${f.name}?`, (f) => `What is ${f.name} made of?`, (f) => `Which ingredients do you need for ${f.name}?`],
    method: [(f) => `How is ${f.name} cooked?`, (f) => `How do you prepare ${f.name}?`],
    occasion: [(f) => `When is ${f.name} eaten?`, (f) => `On what occasion do people eat ${f.name}?`],
    origin: [(f) => `Where does ${f.name} come from?`],
  },
  describe: [(f) => ({ text: `Which dish made with ${f.first} and ${f.second} is eaten at ${f.occasion}?`, needles: [f.first, f.second, f.occasion] })],
};

const MASCOTS = ["Falcons", "Wolves", "Otters", "Rovers", "Hornets", "Badgers", "Pilots", "Miners", "Herons", "Lions", "Stags", "Ravens", "Pirates", "Comets"];

const club: Kind = {
  kind: "club",
  make() {
    const name = `${unique(placeName)} ${pick(MASCOTS)}`;
    const coach = person();
    const year = between(1860, 1990);
    const f: Facts = {
      name: `the ${name}`,
      sport: pick(["football", "ice hockey", "basketball", "rugby", "handball", "volleyball", "baseball", "water polo"]),
      year: String(year),
      ground: `${pick(["Old Mill", "Riverside", "Victoria", "Station", "Castle", "Harbour", "Brewery", "Orchard"])} ${pick(["Park", "Ground", "Arena", "Field", "Stadium"])}`,
      capacity: thousands(between(3, 60) * 1000),
      colours: pick(["red and white", "blue and yellow", "green and black", "orange", "sky blue", "black and gold", "purple and white", "all white"]),
      titles: String(between(1, 14)),
      lastTitle: String(between(Math.max(year + 10, 1950), 2023)),
      coach: coach.name,
    };
    return {
      name: f.name,
      title: name,
      facts: f,
      sentences: [
        `${capitalize(f.name)} are a ${f.sport} club founded in ${f.year}.`,
        `They play their home games at ${f.ground}, which holds ${f.capacity} spectators.`,
        `The team plays in ${f.colours} and has won the national championship ${f.titles} times, most recently in ${f.lastTitle}.`,
        `Their coach is ${f.coach}.`,
      ],
    };
  },
  ask: {
    sport: [(f) => `What sport do ${f.name} play?`, (f) => `Which game is played by ${f.name}?`],
    ground: [(f) => `Where do ${f.name} play their home games?`, (f) => `What is the home stadium of ${f.name}?`],
    colours: [(f) => `What colours do ${f.name} wear?`],
    titles: [(f) => `How many championships have ${f.name} won?`, (f) => `When did ${f.name} last win the title?`],
    coach: [(f) => `Who coaches ${f.name}?`, (f) => `Who is the coach of ${f.name}?`],
    year: [(f) => `When were ${f.name} founded?`],
  },
  describe: [(f) => ({ text: `Which team is coached by ${f.coach}?`, needles: [f.coach] })],
};

const building: Kind = {
  kind: "building",
  make() {
    const type = pick(["Tower", "Bridge", "Library", "Opera House", "Cathedral", "Station", "Observatory", "Lighthouse", "Town Hall", "Museum"]);
    const name = `${unique(placeName)} ${type}`;
    const architect = person();
    const start = between(1200, 1990);
    const f: Facts = {
      name: `the ${name}`,
      type: type.toLowerCase(),
      start: String(start),
      end: String(start + between(2, 40)),
      architect: architect.name,
      material: pick(["red brick", "white marble", "grey granite", "steel and glass", "timber", "sandstone", "concrete"]),
      height: String(between(12, 320)),
      fact: pick(["It was badly damaged by an earthquake and rebuilt.", "A café on its top floor looks over the city.", "It appears on the country's banknotes.", "Its bells can be heard ten kilometres away.", "Thousands of people visit it every day.", "It was the tallest building in the country for fifty years."]),
    };
    return {
      name: f.name,
      title: name,
      facts: f,
      sentences: [
        `${capitalize(f.name)} was built between ${f.start} and ${f.end} to plans by the architect ${f.architect}.`,
        `It is made of ${f.material} and is ${f.height} metres high.`,
        f.fact,
      ],
    };
  },
  ask: {
    architect: [(f) => `Who designed ${f.name}?`, (f) => `Which architect planned ${f.name}?`],
    start: [(f) => `When was ${f.name} built?`, (f) => `How long did it take to build ${f.name}?`],
    material: [(f) => `What is ${f.name} made of?`, (f) => `What material was used for ${f.name}?`],
    height: [(f) => `How tall is ${f.name}?`, (f) => `What is the height of ${f.name}?`],
  },
  describe: [(f) => ({ text: `Which ${f.type} was designed by ${f.architect}?`, needles: [f.architect] })],
};

const KINDS: Kind[] = [town, river, mountain, scientist, painter, composer, novel, animal, plant, ship, company, dish, club, building];

// ---------------------------------------------------------------- questions, checked to have one answer

/** Whole-word, case-insensitive occurrence. */
function contains(text: string, needle: string): boolean {
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9])${escaped}($|[^A-Za-z0-9])`, "i").test(text);
}

interface Made {
  kind: Kind;
  entity: Entity;
}

/** Questions about `entity`, each with exactly one answering passage among `passages`; `count` of different facts. */
function questionsFor(made: Made, passages: readonly Entity[], count: number, taken: ReadonlySet<string> = new Set()): string[] {
  const { kind, entity } = made;
  const others = passages.filter((other) => other !== entity);
  const questions: string[] = [];
  const facts = shuffled(Object.keys(kind.ask));
  const describers = shuffled(kind.describe);
  while (questions.length < count) {
    if (chance(DESCRIBED_SHARE) && describers.length > 0) {
      const described = describers.pop()!(entity.facts);
      const answered = described.needles.every((needle) => contains(entity.text, needle));
      if (!answered) throw new Error(`${entity.name}: a needle of "${described.text}" is not in its passage`);
      const ambiguous = others.some((other) => described.needles.every((needle) => contains(other.text, needle)));
      if (!ambiguous && !taken.has(described.text.toLowerCase())) {
        questions.push(described.text);
        continue;
      }
    }
    const fact = facts.pop();
    if (fact === undefined) throw new Error(`${entity.name}: not enough facts to ask ${count} questions`);
    questions.push(pick(kind.ask[fact])(entity.facts));
  }
  return questions;
}

function checkNamesAreUnique(entities: readonly Entity[]): void {
  for (const entity of entities) {
    const bare = entity.name.replace(/^the /, "");
    const holders = entities.filter((other) => contains(other.text, bare));
    if (holders.length !== 1) throw new Error(`"${bare}" occurs in ${holders.length} passages: ${holders.map((h) => h.title).join(", ")}`);
  }
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

function main(): void {
  const test: Made[] = [];
  const train: Made[] = [];
  KINDS.forEach((kind, index) => {
    const testCount = Math.floor(TEST_TOTAL / KINDS.length) + (index < TEST_TOTAL % KINDS.length ? 1 : 0);
    for (let i = 0; i < PER_KIND; i++) {
      const made = kind.make();
      const entity: Entity = { kind: kind.kind, name: made.name, title: made.title ?? made.name, text: made.sentences.join(" "), facts: made.facts };
      (i < testCount ? test : train).push({ kind, entity });
    }
  });
  const testPassages = test.map((made) => made.entity);
  const trainPassages = train.map((made) => made.entity);
  checkNamesAreUnique([...testPassages, ...trainPassages]);

  const corpus = shuffled(test).map((made, i) => ({ ...made, id: `${made.kind.kind}-${slug(made.entity.title)}`, queryId: `q${String(i + 1).padStart(3, "0")}` }));
  const queries = corpus.map((made) => ({ id: made.queryId, text: questionsFor(made, testPassages, 1)[0], corpusId: made.id }));
  const queryTexts = new Set(queries.map((query) => query.text.toLowerCase()));
  const pairs = shuffled(train.flatMap((made) => questionsFor(made, trainPassages, QUESTIONS_PER_TRAIN_PASSAGE, queryTexts).map((anchor) => ({ anchor, positive: made.entity.text }))));

  const corpusTexts = new Set(testPassages.map((entity) => entity.text));
  if (pairs.some((pair) => corpusTexts.has(pair.positive))) throw new Error("a train passage is also in the corpus");
  if (pairs.some((pair) => queryTexts.has(pair.anchor.toLowerCase()))) throw new Error("a train question is also a test query");
  if (new Set(corpus.map((made) => made.id)).size !== corpus.length) throw new Error("duplicate corpus ids");

  mkdirSync(FOLDER, { recursive: true });
  const write = (name: string, columns: Record<string, unknown[]>) => {
    const path = join(FOLDER, `${name}.parquet`);
    writeParquet(path, columns as Parameters<typeof writeParquet>[1], { codec: "SNAPPY" });
    console.log(`${relative(process.cwd(), path)}: ${Object.values(columns)[0].length} rows`);
  };
  write("corpus", { id: corpus.map((made) => made.id), title: corpus.map((made) => made.entity.title), text: corpus.map((made) => made.entity.text) });
  write("queries", { id: queries.map((query) => query.id), text: queries.map((query) => query.text) });
  write("qrels", { query_id: queries.map((query) => query.id), corpus_id: queries.map((query) => query.corpusId), score: queries.map(() => 1n) });
  write("train_pairs", { anchor: pairs.map((pair) => pair.anchor), positive: pairs.map((pair) => pair.positive) });
}

main();
