;; The SOT-MRAM crossbar's read (crossbar.ts layoutCurrents) in WebAssembly SIMD: per synapse
;; the P device passes V g_P, the AP device V g_AP / (1 + TMR0 b(V)) (Eq. 1 at cos theta = +-1,
;; b Eq. 2's bias factor, computed per column by the caller). Device parameters are f32, four
;; rows to a vector, each promoted to f64 for the arithmetic; sums are f64.
;;
;; Memory, all laid out by the caller (crossbar-kernel.ts), column-major, rows padded to 4:
;;   gp, ga, tm, sg: f32[rows * columns]  g_P, g_AP, TMR0 of the AP device, +1 / -1 (0 in padding)
;;   vs, bs:         f64[columns]         each column's voltage and bias factor
;;   tot, dif:       f64[rows]            out: I+ + I- and I+ - I- per row
;; Returns the power the inputs deliver, sum of V^2 (G_P + G_AP). Columns at 0 V are skipped.
;; Regenerate crossbar-kernel-wasm.ts with `npm run build:wasm` after an edit (a test checks it).
(module
  (memory (export "memory") 1)
  (func (export "currents")
    (param $rows i32) (param $cols i32)
    (param $gp i32) (param $ga i32) (param $tm i32) (param $sg i32)
    (param $vs i32) (param $bs i32) (param $tot i32) (param $dif i32)
    (result f64)
    (local $c i32) (local $r i32) (local $k i32) (local $o i32)
    (local $v f64) (local $watts f64)
    (local $vv v128) (local $bb v128) (local $col v128)
    (local $g4 v128) (local $a4 v128) (local $t4 v128) (local $s4 v128)
    (local $ip v128) (local $ia v128) (local $sum v128)
    ;; tot and dif start at 0
    (local.set $r (i32.const 0))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $r) (local.get $rows)))
        (f64.store (i32.add (local.get $tot) (i32.shl (local.get $r) (i32.const 3))) (f64.const 0))
        (f64.store (i32.add (local.get $dif) (i32.shl (local.get $r) (i32.const 3))) (f64.const 0))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $zero)))
    (local.set $c (i32.const 0))
    (block $done
      (loop $column
        (br_if $done (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $v (f64.load (i32.add (local.get $vs) (i32.shl (local.get $c) (i32.const 3)))))
        (if (f64.ne (local.get $v) (f64.const 0))
          (then
            (local.set $vv (f64x2.splat (local.get $v)))
            (local.set $bb (f64x2.splat (f64.load (i32.add (local.get $bs) (i32.shl (local.get $c) (i32.const 3))))))
            (local.set $col (f64x2.splat (f64.const 0)))
            (local.set $k (i32.shl (i32.mul (local.get $c) (local.get $rows)) (i32.const 2)))
            (local.set $o (i32.const 0))
            (local.set $r (i32.const 0))
            (block $rowsDone
              (loop $row
                (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
                (local.set $g4 (v128.load (i32.add (local.get $gp) (local.get $k))))
                (local.set $a4 (v128.load (i32.add (local.get $ga) (local.get $k))))
                (local.set $t4 (v128.load (i32.add (local.get $tm) (local.get $k))))
                (local.set $s4 (v128.load (i32.add (local.get $sg) (local.get $k))))
                ;; rows r, r + 1: the low two lanes
                (local.set $ip (f64x2.mul (local.get $vv) (f64x2.promote_low_f32x4 (local.get $g4))))
                (local.set $ia (f64x2.div
                  (f64x2.mul (local.get $vv) (f64x2.promote_low_f32x4 (local.get $a4)))
                  (f64x2.add (f64x2.splat (f64.const 1)) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $t4)) (local.get $bb)))))
                (local.set $sum (f64x2.add (local.get $ip) (local.get $ia)))
                (local.set $col (f64x2.add (local.get $col) (local.get $sum)))
                (v128.store (i32.add (local.get $tot) (local.get $o))
                  (f64x2.add (v128.load (i32.add (local.get $tot) (local.get $o))) (local.get $sum)))
                (v128.store (i32.add (local.get $dif) (local.get $o))
                  (f64x2.add (v128.load (i32.add (local.get $dif) (local.get $o)))
                    (f64x2.mul (f64x2.promote_low_f32x4 (local.get $s4)) (f64x2.sub (local.get $ip) (local.get $ia)))))
                ;; rows r + 2, r + 3: the high two lanes moved low
                (local.set $g4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $g4) (local.get $g4)))
                (local.set $a4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a4) (local.get $a4)))
                (local.set $t4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $t4) (local.get $t4)))
                (local.set $s4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $s4) (local.get $s4)))
                (local.set $ip (f64x2.mul (local.get $vv) (f64x2.promote_low_f32x4 (local.get $g4))))
                (local.set $ia (f64x2.div
                  (f64x2.mul (local.get $vv) (f64x2.promote_low_f32x4 (local.get $a4)))
                  (f64x2.add (f64x2.splat (f64.const 1)) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $t4)) (local.get $bb)))))
                (local.set $sum (f64x2.add (local.get $ip) (local.get $ia)))
                (local.set $col (f64x2.add (local.get $col) (local.get $sum)))
                (v128.store (i32.add (local.get $tot) (i32.add (local.get $o) (i32.const 16)))
                  (f64x2.add (v128.load (i32.add (local.get $tot) (i32.add (local.get $o) (i32.const 16)))) (local.get $sum)))
                (v128.store (i32.add (local.get $dif) (i32.add (local.get $o) (i32.const 16)))
                  (f64x2.add (v128.load (i32.add (local.get $dif) (i32.add (local.get $o) (i32.const 16))))
                    (f64x2.mul (f64x2.promote_low_f32x4 (local.get $s4)) (f64x2.sub (local.get $ip) (local.get $ia)))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (local.set $o (i32.add (local.get $o) (i32.const 32)))
                (local.set $r (i32.add (local.get $r) (i32.const 4)))
                (br $row)))
            (local.set $watts (f64.add (local.get $watts)
              (f64.mul (local.get $v) (f64.add (f64x2.extract_lane 0 (local.get $col)) (f64x2.extract_lane 1 (local.get $col))))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $column)))
    (local.get $watts)))
