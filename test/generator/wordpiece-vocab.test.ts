// buildWordPieceVocab and bertPreTokenize against vocabularies and word lists worked out by hand: specials
// first, then characters, ## characters and merged pieces in the order a frequency-first, string-order
// tie-breaking merge procedure must produce them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ArgumentError } from "../../src/errors.ts";
import { bertPreTokenize, buildWordPieceVocab } from "../../src/generator/wordpiece-vocab.ts";

const SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

describe("bertPreTokenize", () => {
  test("lowercases, strips accents, splits punctuation and CJK ideographs", () => {
    assert.deepEqual(bertPreTokenize("Wait -- what?! Café naïve 日本"), [
      "wait", "-", "-", "what", "?", "!", "cafe", "naive", "日", "本",
    ]);
  });

  test("keeps case and accents when lowercase is false", () => {
    assert.deepEqual(bertPreTokenize("Wait -- what?! Café naïve 日本", false), [
      "Wait", "-", "-", "what", "?", "!", "Café", "naïve", "日", "本",
    ]);
  });

  test("drops control and format characters and treats tabs and newlines as spaces", () => {
    // U+0000 and U+FFFD are dropped, as are the Cc/Cf characters U+0007 (bell), U+00AD (soft hyphen), U+200B.
    assert.deepEqual(bertPreTokenize("  tabs\tand\nnew\u0000li\u00adnes\u200b  e\u0007nd\ufffd\r\n"), [
      "tabs", "and", "newlines", "end",
    ]);
  });

  test("splits ASCII symbols and Unicode P* punctuation, but not other symbols", () => {
    // $ + = are ASCII punctuation for BERT; « » — are Unicode punctuation; € (Sc) and ° (So) are not.
    assert.deepEqual(bertPreTokenize("$5+3=8 «hi»—ok €5 20°C ab日本cd"), [
      "$", "5", "+", "3", "=", "8", "«", "hi", "»", "—", "ok", "€5", "20°c", "ab", "日", "本", "cd",
    ]);
  });

  test("an empty or blank text has no words", () => {
    assert.deepEqual(bertPreTokenize(""), []);
    assert.deepEqual(bertPreTokenize(" \t\n "), []);
  });
});

describe("buildWordPieceVocab", () => {
  test("puts specials, characters and ## characters first, then merges by frequency", () => {
    // Words ab×3 and ac×1: pair (a,##b) occurs 3 times, (a,##c) once.
    assert.deepEqual(buildWordPieceVocab(["ab ab", "ab ac"], { vocabSize: 100 }), [
      ...SPECIALS, "a", "b", "c", "##b", "##c", "ab", "ac",
    ]);
  });

  test("stops at vocabSize", () => {
    assert.deepEqual(buildWordPieceVocab(["ab ab", "ab ac"], { vocabSize: 11 }), [
      ...SPECIALS, "a", "b", "c", "##b", "##c", "ab",
    ]);
    assert.deepEqual(buildWordPieceVocab(["ab ab", "ab ac"], { vocabSize: 10 }), [
      ...SPECIALS, "a", "b", "c", "##b", "##c",
    ]);
  });

  test("frequency beats string order", () => {
    // (c,##d) occurs 3 times, (a,##b) once, so cd is learnt before ab although "a" < "c".
    assert.deepEqual(buildWordPieceVocab(["cd cd cd ab"], { vocabSize: 100 }), [
      ...SPECIALS, "a", "b", "c", "d", "##b", "##d", "cd", "ab",
    ]);
  });

  test("learns ## pieces and whole words, breaking ties by left piece then right piece", () => {
    // Worked by hand. Start: w ##a ##l ##k ##e ##d, t ##a ##l ##k ##e ##d, w ##a ##l ##k ##i ##n ##g, t … ##g.
    //  1. (##a,##l) and (##l,##k) occur 4 times; "##a" < "##l"              → ##al
    //  2. (##al,##k) occurs 4 times                                          → ##alk
    //  3. seven pairs occur twice; smallest left "##alk", then right "##e"   → ##alke
    //  4. twice: (##alk,##i) (##alke,##d) (##i,##n) (##n,##g); "##alk" first → ##alki
    //  5. twice: (##alke,##d) (##alki,##n) (##n,##g)                         → ##alked
    //  6. twice: (##alki,##n) (##n,##g)                                      → ##alkin
    //  7. twice: (##alkin,##g)                                               → ##alking
    //  8–11. the four whole words, once each, "t" before "w", "##alked" before "##alking".
    const vocab = buildWordPieceVocab(["Walked talked", "walking TALKING"], { vocabSize: 1000 });
    assert.deepEqual(vocab, [
      ...SPECIALS,
      "a", "d", "e", "g", "i", "k", "l", "n", "t", "w",
      "##a", "##d", "##e", "##g", "##i", "##k", "##l", "##n",
      "##al", "##alk", "##alke", "##alki", "##alked", "##alkin", "##alking",
      "talked", "talking", "walked", "walking",
    ]);
  });

  test("keeps case and accents when lowercase is false", () => {
    // Café: C ##a ##f ##é, café: c ##a ##f ##é. (##a,##f) and (##f,##é) twice → ##af, then ##afé; then the
    // words once each, "C" (U+0043) before "c" (U+0063). "é" (U+00E9) sorts after the ASCII letters.
    assert.deepEqual(buildWordPieceVocab(["Café café"], { vocabSize: 100, lowercase: false }), [
      ...SPECIALS, "C", "a", "c", "f", "é", "##a", "##f", "##é", "##af", "##afé", "Café", "café",
    ]);
    assert.deepEqual(buildWordPieceVocab(["Café café"], { vocabSize: 100 }), [
      ...SPECIALS, "a", "c", "e", "f", "##a", "##e", "##f", "##af", "##afe", "cafe",
    ]);
  });

  test("punctuation and CJK ideographs become single-character words, never merged", () => {
    assert.deepEqual(buildWordPieceVocab(["日本, 日本!"], { vocabSize: 100 }), [...SPECIALS, "!", ",", "日", "本"]);
  });

  test("a word longer than 100 characters gives its characters but no merged pieces", () => {
    assert.deepEqual(buildWordPieceVocab(["x".repeat(101)], { vocabSize: 100 }), [...SPECIALS, "x", "##x"]);
    // 100 characters is still a word WordPiece reads, so pieces are learnt: ##xx first (99 pairs of ##x).
    assert.deepEqual(buildWordPieceVocab(["x".repeat(100)], { vocabSize: 8 }), [...SPECIALS, "x", "##x", "##xx"]);
  });

  test("does not depend on the order of the texts", () => {
    const texts = ["the cat sat on the mat", "a dog sat on a log", "the dog and the cat"];
    const forward = buildWordPieceVocab(texts, { vocabSize: 35 });
    const backward = buildWordPieceVocab([...texts].reverse(), { vocabSize: 35 });
    assert.equal(forward.length, 35);
    assert.deepEqual(backward, forward);
  });

  test("accepts any iterable of texts, such as a generator", () => {
    function* lines() {
      yield "ab ab";
      yield "ab ac";
    }
    assert.deepEqual(buildWordPieceVocab(lines(), { vocabSize: 100 }), [...SPECIALS, "a", "b", "c", "##b", "##c", "ab", "ac"]);
  });

  test("an empty corpus gives only the specials", () => {
    assert.deepEqual(buildWordPieceVocab([], { vocabSize: 10 }), SPECIALS);
  });

  test("rejects a vocabSize that cannot hold the specials and every character", () => {
    // a b c + ##b ##c + 5 specials = 10 tokens are needed.
    assert.throws(() => buildWordPieceVocab(["ab ac"], { vocabSize: 9 }), (error: unknown) => {
      assert.ok(error instanceof ArgumentError);
      assert.match(error.message, /vocabSize: 9 is too small: .*3 distinct characters.* need 10 tokens/);
      return true;
    });
    assert.throws(() => buildWordPieceVocab(["ab"], { vocabSize: 4 }), ArgumentError);
    assert.throws(() => buildWordPieceVocab(["ab"], { vocabSize: 20.5 }), ArgumentError);
  });
});
