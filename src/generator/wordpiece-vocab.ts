// Builds a BERT WordPiece vocabulary (list of tokens in id order) from plain text, deterministically.
// Ids 0–4 are [PAD] [UNK] [CLS] [SEP] [MASK]; every character of the text is in it (alone and, where seen
// inside a word, as ##char), so every word of the text tokenizes without [UNK]; merged pieces fill the rest.
import { ArgumentError } from "../errors.ts";

/** The special tokens, in the id order of the shared tiny-bert vocab. */
export const BERT_SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] as const;

/** Marks a piece that continues a word (WordPiece `continuing_subword_prefix`). */
export const CONTINUING_SUBWORD_PREFIX = "##";

/** Words longer than this (in characters) become [UNK] whole, so no pieces are learnt from them. */
export const MAX_INPUT_CHARS_PER_WORD = 100;

export interface WordPieceVocabOptions {
  /** Total number of tokens wanted, specials included. Must hold at least the specials and every character. */
  vocabSize: number;
  /** Lowercase and strip accents, as an uncased BERT does. Default true. */
  lowercase?: boolean;
}

// BERT's _is_punctuation: the non-alphanumeric printable ASCII ranges, or any Unicode P* character.
const PUNCTUATION = "\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E";
const WORD_OR_PUNCTUATION_MARK = new RegExp(`[^\\s${PUNCTUATION}]+|[${PUNCTUATION}]`, "gu");
// Control characters are dropped (tab, newline and carriage return count as whitespace instead); the same
// categories as the @huggingface/transformers BertNormalizer that loads the tokenizer at run time.
const CONTROL_CHARACTER = /^[\p{Cc}\p{Cf}\p{Co}\p{Cs}]$/u;
const WHITESPACE_CHARACTER = /^\s$/u;
const NONSPACING_MARKS = /\p{Mn}/gu;

function isDroppedByTextCleaning(character: string): boolean {
  if (character === "\t" || character === "\n" || character === "\r") return false;
  const codePoint = character.codePointAt(0)!;
  return codePoint === 0 || codePoint === 0xfffd || CONTROL_CHARACTER.test(character);
}

/** The CJK Unified Ideograph blocks BERT treats as words of their own. */
function isChineseCharacter(codePoint: number): boolean {
  return (
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) ||
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) ||
    (codePoint >= 0x20000 && codePoint <= 0x2a6df) ||
    (codePoint >= 0x2a700 && codePoint <= 0x2b73f) ||
    (codePoint >= 0x2b740 && codePoint <= 0x2b81f) ||
    (codePoint >= 0x2b820 && codePoint <= 0x2ceaf) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0x2f800 && codePoint <= 0x2fa1f)
  );
}

/**
 * BERT's basic tokenization (BertNormalizer + BertPreTokenizer): drop control characters, turn whitespace into
 * spaces, put spaces around CJK ideographs, lowercase and strip accents (NFD, drop Mn marks) when `lowercase`,
 * then split on whitespace and make every punctuation character a word of its own.
 */
export function bertPreTokenize(text: string, lowercase = true): string[] {
  let normalized = "";
  for (const character of text) {
    if (isDroppedByTextCleaning(character)) continue;
    if (WHITESPACE_CHARACTER.test(character)) normalized += " ";
    else if (isChineseCharacter(character.codePointAt(0)!)) normalized += ` ${character} `;
    else normalized += character;
  }
  if (lowercase) normalized = normalized.toLowerCase().normalize("NFD").replace(NONSPACING_MARKS, "");
  return normalized.match(WORD_OR_PUNCTUATION_MARK) ?? [];
}

/** Plain UTF-16 string order: the tie-breaker everywhere, so the result never depends on input order. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface WordSegmentation {
  /** The word's current pieces: the first bare, the rest with the ## prefix. */
  pieces: string[];
  /** How often the word occurs in the text. */
  frequency: number;
}

interface PairCandidate {
  left: string;
  right: string;
  count: number;
}

/** Most frequent pair first; equal counts by left piece, then right piece, in string order. */
function isBetterCandidate(a: PairCandidate, b: PairCandidate): boolean {
  if (a.count !== b.count) return a.count > b.count;
  const byLeft = compareStrings(a.left, b.left);
  return byLeft !== 0 ? byLeft < 0 : compareStrings(a.right, b.right) < 0;
}

/** A binary max-heap of pair candidates; stale entries are discarded by the caller when popped. */
class CandidateHeap {
  private readonly entries: PairCandidate[] = [];

  push(candidate: PairCandidate): void {
    const entries = this.entries;
    entries.push(candidate);
    let index = entries.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!isBetterCandidate(entries[index]!, entries[parent]!)) break;
      [entries[index], entries[parent]] = [entries[parent]!, entries[index]!];
      index = parent;
    }
  }

  pop(): PairCandidate | undefined {
    const entries = this.entries;
    const top = entries[0];
    const last = entries.pop();
    if (entries.length > 0 && last !== undefined) {
      entries[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let best = index;
        if (left < entries.length && isBetterCandidate(entries[left]!, entries[best]!)) best = left;
        if (right < entries.length && isBetterCandidate(entries[right]!, entries[best]!)) best = right;
        if (best === index) break;
        [entries[index], entries[best]] = [entries[best]!, entries[index]!];
        index = best;
      }
    }
    return top;
  }
}

// Cleaned text holds no NUL, so it can join two pieces into one unambiguous map key.
const PAIR_SEPARATOR = "\u0000";

function pairKey(left: string, right: string): string {
  return left + PAIR_SEPARATOR + right;
}

/** Joins two adjacent pieces: the right one always carries the ## prefix, which disappears inside. */
function mergedPiece(left: string, right: string): string {
  return left + right.slice(CONTINUING_SUBWORD_PREFIX.length);
}

/**
 * Learns merged pieces BPE-style (as the Hugging Face WordPiece trainer does): start from single characters,
 * repeatedly join the adjacent pair with the highest total frequency (ties: smaller left piece, then smaller
 * right piece), and return each new piece in the order learnt, until `limit` new pieces or no pair is left.
 */
function learnMergedPieces(words: WordSegmentation[], knownTokens: Set<string>, limit: number): string[] {
  const pairCounts = new Map<string, number>();
  const wordsHoldingPair = new Map<string, Set<number>>();
  const heap = new CandidateHeap();

  const countPairsOf = (wordIndex: number, sign: 1 | -1, changedPairs: Map<string, [string, string]>) => {
    const { pieces, frequency } = words[wordIndex]!;
    for (let i = 0; i + 1 < pieces.length; i++) {
      const key = pairKey(pieces[i]!, pieces[i + 1]!);
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * frequency);
      changedPairs.set(key, [pieces[i]!, pieces[i + 1]!]);
      if (sign === 1) {
        let holders = wordsHoldingPair.get(key);
        if (holders === undefined) wordsHoldingPair.set(key, (holders = new Set()));
        holders.add(wordIndex);
      }
    }
  };
  const queueChangedPairs = (changedPairs: Map<string, [string, string]>) => {
    for (const [key, [left, right]] of changedPairs) {
      const count = pairCounts.get(key) ?? 0;
      if (count > 0) heap.push({ left, right, count });
      else {
        pairCounts.delete(key);
        wordsHoldingPair.delete(key);
      }
    }
  };

  const initialPairs = new Map<string, [string, string]>();
  words.forEach((_, wordIndex) => countPairsOf(wordIndex, 1, initialPairs));
  queueChangedPairs(initialPairs);

  const learnt: string[] = [];
  while (learnt.length < limit) {
    const best = heap.pop();
    if (best === undefined) break;
    const key = pairKey(best.left, best.right);
    if (pairCounts.get(key) !== best.count) continue; // stale: the count changed after this entry was queued
    const piece = mergedPiece(best.left, best.right);
    if (!knownTokens.has(piece)) {
      knownTokens.add(piece);
      learnt.push(piece);
    }
    const changedPairs = new Map<string, [string, string]>();
    const holders = [...(wordsHoldingPair.get(key) ?? [])].sort((a, b) => a - b);
    for (const wordIndex of holders) {
      const word = words[wordIndex]!;
      const joined: string[] = [];
      for (let i = 0; i < word.pieces.length; i++) {
        if (i + 1 < word.pieces.length && word.pieces[i] === best.left && word.pieces[i + 1] === best.right) {
          joined.push(piece);
          i++;
        } else {
          joined.push(word.pieces[i]!);
        }
      }
      if (joined.length === word.pieces.length) continue; // this word no longer holds the pair
      countPairsOf(wordIndex, -1, changedPairs);
      word.pieces = joined;
      countPairsOf(wordIndex, 1, changedPairs);
    }
    queueChangedPairs(changedPairs);
  }
  return learnt;
}

/**
 * A WordPiece vocabulary for `texts`, in id order: the 5 specials, every character seen (string order), `##`
 * + every character seen inside a word (string order), then merged pieces (whole words and `##` pieces) in the
 * order learnt, until `vocabSize` tokens or nothing is left to merge. Throws an ArgumentError when vocabSize
 * cannot hold the specials and all characters.
 */
export function buildWordPieceVocab(texts: Iterable<string>, options: WordPieceVocabOptions): string[] {
  const { vocabSize, lowercase = true } = options;
  if (!Number.isInteger(vocabSize) || vocabSize < BERT_SPECIAL_TOKENS.length) {
    throw new ArgumentError("vocabSize", `must be an integer of at least ${BERT_SPECIAL_TOKENS.length}, got ${vocabSize}`);
  }

  const wordFrequencies = new Map<string, number>();
  for (const text of texts) {
    for (const word of bertPreTokenize(text, lowercase)) {
      wordFrequencies.set(word, (wordFrequencies.get(word) ?? 0) + 1);
    }
  }

  const initialCharacters = new Set<string>();
  const innerCharacters = new Set<string>();
  const words: WordSegmentation[] = [];
  for (const word of [...wordFrequencies.keys()].sort(compareStrings)) {
    const characters = [...word];
    characters.forEach((character, index) => (index === 0 ? initialCharacters : innerCharacters).add(character));
    if (characters.length > 1 && characters.length <= MAX_INPUT_CHARS_PER_WORD) {
      const pieces = characters.map((character, index) => (index === 0 ? character : CONTINUING_SUBWORD_PREFIX + character));
      words.push({ pieces, frequency: wordFrequencies.get(word)! });
    }
  }

  const singleCharacters = [...new Set([...initialCharacters, ...innerCharacters])].sort(compareStrings);
  const continuingCharacters = [...innerCharacters].sort(compareStrings).map((c) => CONTINUING_SUBWORD_PREFIX + c);
  const vocab = [...BERT_SPECIAL_TOKENS, ...singleCharacters, ...continuingCharacters];
  if (vocab.length > vocabSize) {
    throw new ArgumentError(
      "vocabSize",
      `${vocabSize} is too small: the text has ${singleCharacters.length} distinct characters, which with the ` +
        `${BERT_SPECIAL_TOKENS.length} special tokens and ## forms need ${vocab.length} tokens`,
    );
  }
  return [...vocab, ...learnMergedPieces(words, new Set(vocab), vocabSize - vocab.length)];
}
