;; MAAP sets' activation pairs in the packed form of set-response.ts (packPair) and the
;; winner-take-all over them, with counter-based thermal noise (random.ts counterWord and
;; NORMAL_QUANTILES) or noise the caller gives. The sets of a group sit side by side as SIMD
;; lanes, two f64 to a vector, and read the same pair inputs. Every operation is the f64
;; operation set-response.ts documents, in its order, so a lane's result is the same bits as
;; the scalar formula. The clamps and the max are f64x2.pmin/pmax (b < a ? b : a, a < b ? b : a)
;; with their operands in the order that makes them `m < -1 ? -1 : m > 1 ? 1 : m` and
;; `if (v > best) best = v` exactly, -0 and NaN included: one instruction each, where the
;; bitselects on comparisons they replace were about five (the kernel ran 20 % faster).
;;
;; Memory, laid out by the caller (set-kernel.ts), per block of R sets padded to rp lanes (a
;; multiple of 4):
;;   packed: f64   coefficient k of pair p of lane i = 4 q + l (quad q) at
;;                 block + ((p * rp / 4 + q) * 12 + k) * 32 + l * 8: a quad's coefficient k at
;;                 32 k bytes into its cell, so each load has a constant offset
;;   keys:   i32[rp]  each lane's counter key for the image in progress
;;   values: f64[rp]  out: each lane's measurement
;;   noise:  f64[2 rp] each lane's noise for the pair in hand, quad q's n1 at q * 64 + l * 8
;;                     and its n2 32 bytes on: the draws, or what the caller gives
;;   sums:   f64[pairs] the pair inputs
;;   quant:  f64[32768] the upper half of NORMAL_QUANTILES (Q[k] = -Q[65535 - k], bit for bit;
;;           the whole table, 512 KB, the size of this machine's L2, ran about 5 % slower)
;;   batch:  a batch's outputs for `outputs` (set-kernel.ts KernelBatch)
;; Per pair, the draws are made first for all the lanes, then the circuit is solved: two short
;; loops whose iterations do not wait on each other (one loop of both ran about 6 % slower).
;; A quad's two vectors are solved side by side, step by step, in one pass (a loop over the
;; two ran about 12 % slower per image). Splatting the hash's constants once per call instead
;; of in the loop gained nothing measurable here.
;; Regenerate set-kernel-wasm.ts with `npm run build:wasm` after an edit (a test checks it).
(module
  (memory (export "memory") 1)

  ;; Lanes [i0, i1) (multiples of 4) of the block at byte offset o read pairs [p0, p1) at inputs
  ;; sums[p]: values[i] = the largest pair output of lane i (0 if none is above it). A lane's
  ;; pair below its quiet input (coefficient `quiet`: 10 for the draws' bound, 1 for a stream's)
  ;; reads its floor (coefficient 11). Noise: with `draw`, pair p of lane i draws
  ;; counterWord(keys[i], base + p), its two 16-bit halves the two magnets' quantiles, into
  ;; the scratch; otherwise it holds the caller's. Either is times sigma.
  (func $lanes (export "lanes")
    (param $o i32) (param $rp i32) (param $i0 i32) (param $i1 i32) (param $keys i32) (param $values i32)
    (param $sums i32) (param $p0 i32) (param $p1 i32) (param $base f64) (param $sigma f64)
    (param $quant i32) (param $noise i32) (param $draw i32) (param $quiet i32)
    (local $p i32) (local $i i32) (local $row i32) (local $quad i32) (local $at i32) (local $nz i32) (local $qz i32)
    (local $lo i32) (local $mix i32) (local $ctr i64)
    (local $x v128) (local $xh v128) (local $sg v128) (local $hash v128) (local $k1 v128) (local $k2 v128) (local $s1 v128) (local $s2 v128)
    (local $n1 v128) (local $n2 v128) (local $m v128) (local $v v128) (local $n1b v128) (local $n2b v128) (local $mb v128) (local $vb v128)
    (local $one v128) (local $minusOne v128) (local $zero v128)
    ;; coefficient k of a quad's four lanes is 32 k bytes into the quad's cell
    (local.set $quiet (i32.shl (local.get $quiet) (i32.const 5)))
    (local.set $sg (f64x2.splat (local.get $sigma)))
    (local.set $one (f64x2.splat (f64.const 1)))
    (local.set $minusOne (f64x2.splat (f64.const -1)))
    (local.set $zero (f64x2.splat (f64.const 0)))
    (local.set $i (local.get $i0))
    (block $z (loop $zero
      (br_if $z (i32.ge_u (local.get $i) (local.get $i1)))
      (f64.store (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 3))) (f64.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $zero)))
    (local.set $p (local.get $p0))
    (block $done (loop $pair
      (br_if $done (i32.ge_u (local.get $p) (local.get $p1)))
      (local.set $x (f64x2.splat (f64.load (i32.add (local.get $sums) (i32.shl (local.get $p) (i32.const 3))))))
      (local.set $xh (f64x2.sub (local.get $x) (f64x2.splat (f64.const 0.5))))
      ;; counterWord's counter: lo, and the mix of hi = floor(counter / 2^32)
      (local.set $ctr (i64.trunc_f64_u (f64.add (local.get $base) (f64.convert_i32_u (local.get $p)))))
      (local.set $lo (i32.wrap_i64 (local.get $ctr)))
      (local.set $mix (i32.mul (i32.add (i32.wrap_i64 (i64.shr_u (local.get $ctr) (i64.const 32))) (i32.const 1)) (i32.const 0x9e3779b1)))
      ;; pair p's row: rp / 4 quads of 12 x 4 coefficients
      (local.set $row (i32.add (local.get $o) (i32.mul (i32.mul (local.get $p) (i32.const 96)) (local.get $rp))))
      ;; the draws of the quads that are not all quiet, into the scratch (per quad n1 x 4, then n2 x 4)
      (if (local.get $draw)
        (then
          (local.set $i (local.get $i0))
          (block $drawn (loop $quadDraw
            (br_if $drawn (i32.ge_u (local.get $i) (local.get $i1)))
            (local.set $quad (i32.add (i32.add (local.get $row) (i32.mul (local.get $i) (i32.const 96))) (local.get $quiet)))
            (if (i32.eqz (i32.and
                  (i64x2.all_true (f64x2.lt (local.get $x) (v128.load (local.get $quad))))
                  (i64x2.all_true (f64x2.lt (local.get $x) (v128.load offset=16 (local.get $quad))))))
              (then
                ;; four hashes: fmix32(fmix32(lo ^ key) ^ mix)
                (local.set $hash (v128.xor (v128.load (i32.add (local.get $keys) (i32.shl (local.get $i) (i32.const 2)))) (i32x4.splat (local.get $lo))))
                (local.set $hash (v128.xor (local.get $hash) (i32x4.shr_u (local.get $hash) (i32.const 16))))
                (local.set $hash (i32x4.mul (local.get $hash) (i32x4.splat (i32.const 0x85ebca6b))))
                (local.set $hash (v128.xor (local.get $hash) (i32x4.shr_u (local.get $hash) (i32.const 13))))
                (local.set $hash (i32x4.mul (local.get $hash) (i32x4.splat (i32.const 0xc2b2ae35))))
                (local.set $hash (v128.xor (local.get $hash) (i32x4.shr_u (local.get $hash) (i32.const 16))))
                (local.set $hash (v128.xor (local.get $hash) (i32x4.splat (local.get $mix))))
                (local.set $hash (v128.xor (local.get $hash) (i32x4.shr_u (local.get $hash) (i32.const 16))))
                (local.set $hash (i32x4.mul (local.get $hash) (i32x4.splat (i32.const 0x85ebca6b))))
                (local.set $hash (v128.xor (local.get $hash) (i32x4.shr_u (local.get $hash) (i32.const 13))))
                (local.set $hash (i32x4.mul (local.get $hash) (i32x4.splat (i32.const 0xc2b2ae35))))
                (local.set $hash (v128.xor (local.get $hash) (i32x4.shr_u (local.get $hash) (i32.const 16))))
                ;; quantile k of the full table is Qu[k ^ (0x7fff + (k >> 15))], negated where k < 32768
                (local.set $k1 (v128.and (local.get $hash) (i32x4.splat (i32.const 0xffff))))
                (local.set $k2 (i32x4.shr_u (local.get $hash) (i32.const 16)))
                (local.set $s1 (i32x4.shr_u (local.get $k1) (i32.const 15)))
                (local.set $s2 (i32x4.shr_u (local.get $k2) (i32.const 15)))
                (local.set $k1 (i32x4.add (i32x4.shl (v128.xor (local.get $k1) (i32x4.add (local.get $s1) (i32x4.splat (i32.const 0x7fff)))) (i32.const 3)) (i32x4.splat (local.get $quant))))
                (local.set $k2 (i32x4.add (i32x4.shl (v128.xor (local.get $k2) (i32x4.add (local.get $s2) (i32x4.splat (i32.const 0x7fff)))) (i32.const 3)) (i32x4.splat (local.get $quant))))
                (local.set $s1 (v128.xor (i32x4.shl (local.get $s1) (i32.const 31)) (i32x4.splat (i32.const 0x80000000))))
                (local.set $s2 (v128.xor (i32x4.shl (local.get $s2) (i32.const 31)) (i32x4.splat (i32.const 0x80000000))))
                (local.set $at (i32.add (local.get $noise) (i32.shl (local.get $i) (i32.const 4))))
                (v128.store (local.get $at) (v128.xor
                  (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32x4.extract_lane 0 (local.get $k1)))) (f64.load (i32x4.extract_lane 1 (local.get $k1))))
                  (i64x2.shl (i64x2.extend_low_i32x4_u (local.get $s1)) (i32.const 32))))
                (v128.store offset=16 (local.get $at) (v128.xor
                  (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32x4.extract_lane 2 (local.get $k1)))) (f64.load (i32x4.extract_lane 3 (local.get $k1))))
                  (i64x2.shl (i64x2.extend_high_i32x4_u (local.get $s1)) (i32.const 32))))
                (v128.store offset=32 (local.get $at) (v128.xor
                  (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32x4.extract_lane 0 (local.get $k2)))) (f64.load (i32x4.extract_lane 1 (local.get $k2))))
                  (i64x2.shl (i64x2.extend_low_i32x4_u (local.get $s2)) (i32.const 32))))
                (v128.store offset=48 (local.get $at) (v128.xor
                  (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32x4.extract_lane 2 (local.get $k2)))) (f64.load (i32x4.extract_lane 3 (local.get $k2))))
                  (i64x2.shl (i64x2.extend_high_i32x4_u (local.get $s2)) (i32.const 32))))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $quadDraw)))))
      (local.set $i (local.get $i0))
      (block $quads (loop $quadSolve
        (br_if $quads (i32.ge_u (local.get $i) (local.get $i1)))
        (local.set $quad (i32.add (local.get $row) (i32.mul (local.get $i) (i32.const 96))))
        (local.set $at (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 3))))
        ;; four quiet lanes read their floors and draw nothing
        (if (i32.and
              (i64x2.all_true (f64x2.lt (local.get $x) (v128.load (i32.add (local.get $quad) (local.get $quiet)))))
              (i64x2.all_true (f64x2.lt (local.get $x) (v128.load offset=16 (i32.add (local.get $quad) (local.get $quiet))))))
          (then
            (v128.store (local.get $at) (f64x2.pmax (v128.load (local.get $at)) (v128.load offset=352 (local.get $quad))))
            (v128.store offset=16 (local.get $at) (f64x2.pmax (v128.load offset=16 (local.get $at)) (v128.load offset=368 (local.get $quad))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $quadSolve)))
        ;; lanes i, i + 1 (m, v) and i + 2, i + 3 (mb, vb, 16 bytes on), step by step side by side:
        ;; two chains that do not wait on each other. Cell 1: m = a1 (x - 1/2) + n1 in [-1, 1];
        ;; w = c1 + d1 / (m + e1) in [0, 1] (coefficients 0, 2, 3, 4). Cell 2: m = a2 w + b2 + n2
        ;; in [-1, 1]; v = c2 + d2 / (m + e2) in [0, 1] (coefficients 5, 9, 6, 7, 8). A quiet lane
        ;; reads its floor (11).
        (local.set $nz (i32.add (local.get $noise) (i32.shl (local.get $i) (i32.const 4))))
        (local.set $qz (i32.add (local.get $quad) (local.get $quiet)))
        (local.set $n1 (f64x2.mul (local.get $sg) (v128.load (local.get $nz))))
        (local.set $n1b (f64x2.mul (local.get $sg) (v128.load offset=16 (local.get $nz))))
        (local.set $n2 (f64x2.mul (local.get $sg) (v128.load offset=32 (local.get $nz))))
        (local.set $n2b (f64x2.mul (local.get $sg) (v128.load offset=48 (local.get $nz))))
        (local.set $m (f64x2.add (f64x2.mul (v128.load (local.get $quad)) (local.get $xh)) (local.get $n1)))
        (local.set $mb (f64x2.add (f64x2.mul (v128.load offset=16 (local.get $quad)) (local.get $xh)) (local.get $n1b)))
        (local.set $m (f64x2.pmax (f64x2.pmin (local.get $m) (local.get $one)) (local.get $minusOne)))
        (local.set $mb (f64x2.pmax (f64x2.pmin (local.get $mb) (local.get $one)) (local.get $minusOne)))
        (local.set $v (f64x2.add (v128.load offset=64 (local.get $quad)) (f64x2.div (v128.load offset=96 (local.get $quad)) (f64x2.add (local.get $m) (v128.load offset=128 (local.get $quad))))))
        (local.set $vb (f64x2.add (v128.load offset=80 (local.get $quad)) (f64x2.div (v128.load offset=112 (local.get $quad)) (f64x2.add (local.get $mb) (v128.load offset=144 (local.get $quad))))))
        (local.set $v (f64x2.pmax (f64x2.pmin (local.get $v) (local.get $one)) (local.get $zero)))
        (local.set $vb (f64x2.pmax (f64x2.pmin (local.get $vb) (local.get $one)) (local.get $zero)))
        (local.set $m (f64x2.add (f64x2.add (f64x2.mul (v128.load offset=160 (local.get $quad)) (local.get $v)) (v128.load offset=288 (local.get $quad))) (local.get $n2)))
        (local.set $mb (f64x2.add (f64x2.add (f64x2.mul (v128.load offset=176 (local.get $quad)) (local.get $vb)) (v128.load offset=304 (local.get $quad))) (local.get $n2b)))
        (local.set $m (f64x2.pmax (f64x2.pmin (local.get $m) (local.get $one)) (local.get $minusOne)))
        (local.set $mb (f64x2.pmax (f64x2.pmin (local.get $mb) (local.get $one)) (local.get $minusOne)))
        (local.set $v (f64x2.add (v128.load offset=192 (local.get $quad)) (f64x2.div (v128.load offset=224 (local.get $quad)) (f64x2.add (local.get $m) (v128.load offset=256 (local.get $quad))))))
        (local.set $vb (f64x2.add (v128.load offset=208 (local.get $quad)) (f64x2.div (v128.load offset=240 (local.get $quad)) (f64x2.add (local.get $mb) (v128.load offset=272 (local.get $quad))))))
        (local.set $v (f64x2.pmax (f64x2.pmin (local.get $v) (local.get $one)) (local.get $zero)))
        (local.set $vb (f64x2.pmax (f64x2.pmin (local.get $vb) (local.get $one)) (local.get $zero)))
        (local.set $v (v128.bitselect (v128.load offset=352 (local.get $quad)) (local.get $v) (f64x2.lt (local.get $x) (v128.load (local.get $qz)))))
        (local.set $vb (v128.bitselect (v128.load offset=368 (local.get $quad)) (local.get $vb) (f64x2.lt (local.get $x) (v128.load offset=16 (local.get $qz)))))
        (v128.store (local.get $at) (f64x2.pmax (v128.load (local.get $at)) (local.get $v)))
        (v128.store offset=16 (local.get $at) (f64x2.pmax (v128.load offset=16 (local.get $at)) (local.get $vb)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quadSolve)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pair))))

  ;; A batch of n outputs, each a whole block's lanes reading its own pair inputs with counter-based
  ;; noise: output j reads sums[j * count, (j + 1) * count) with block blocks[j] and draws from
  ;; bases[j]. Its R lanes' measurements go to out: their mean, summed in lane order then divided
  ;; by R (set-group.ts meanOf), at out[j] (analog), or each of them at out[j * R + i] (digital).
  ;; One call per batch instead of one per output: the same measurements, without the calls.
  (func (export "outputs")
    (param $n i32) (param $count i32) (param $rp i32) (param $blockBytes i32) (param $keys i32) (param $values i32)
    (param $sums i32) (param $blocks i32) (param $bases i32) (param $sigma f64) (param $quant i32) (param $noise i32)
    (param $r i32) (param $out i32) (param $digital i32) (param $quiet i32)
    (local $j i32) (local $b i32) (local $i i32) (local $sum f64)
    (block $done (loop $output
      (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
      (local.set $b (i32.load (i32.add (local.get $blocks) (i32.shl (local.get $j) (i32.const 2)))))
      (call $lanes (i32.mul (local.get $b) (local.get $blockBytes)) (local.get $rp) (i32.const 0) (local.get $rp)
        (i32.add (local.get $keys) (i32.shl (i32.mul (local.get $b) (local.get $rp)) (i32.const 2))) (local.get $values)
        (i32.add (local.get $sums) (i32.shl (i32.mul (local.get $j) (local.get $count)) (i32.const 3))) (i32.const 0) (local.get $count)
        (f64.load (i32.add (local.get $bases) (i32.shl (local.get $j) (i32.const 3)))) (local.get $sigma)
        (local.get $quant) (local.get $noise) (i32.const 1) (local.get $quiet))
      (local.set $i (i32.const 0))
      (if (local.get $digital)
        (then
          (block $copied (loop $copy
            (br_if $copied (i32.ge_u (local.get $i) (local.get $r)))
            (f64.store (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $r)) (local.get $i)) (i32.const 3)))
              (f64.load (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 3)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $copy))))
        (else
          (local.set $sum (f64.const 0))
          (block $summed (loop $add
            (br_if $summed (i32.ge_u (local.get $i) (local.get $r)))
            (local.set $sum (f64.add (local.get $sum) (f64.load (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 3))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $add)))
          (f64.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))) (f64.div (local.get $sum) (f64.convert_i32_u (local.get $r))))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $output))))
)
