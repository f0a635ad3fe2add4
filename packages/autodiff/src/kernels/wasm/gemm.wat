;; Matrix-product macro-kernel in WebAssembly SIMD (f64x2), hand-written; compiled to bytes at build time
;; by packages/autodiff/scripts/build-wasm.mjs (wabt's wat2wasm) into generated/gemm.ts.
;;
;; Layout (all offsets in bytes, all in this module's memory, filled by the JS packing code):
;;   packed A: ceil(mc/4) panels of 4 rows, stored column by column: panel ip at pa + ip*32*kc,
;;             element (p, r) at +(p*4 + r)*8 (zero rows past the edge);
;;   packed B: ceil(n/4) panels of 4 columns, stored row by row: panel jp at pb + jp*32*kc,
;;             element (p, c) at +(p*4 + c)*8 (zero columns past the edge);
;;   C block:  row-major with a row stride of ldc doubles, tile (ip, jp) at pc + (4*ip*ldc + 4*jp)*8;
;;             always whole 4 x 4 tiles, the JS side copies out what exists. With ldc = 4*ceil(n/4)
;;             the padding columns are separate; with ldc = n (first = 1 only) the columns past n of
;;             a tile spill into the next row's first columns, and since panels run from the last to
;;             the first, tiles top to bottom and rows in order, every spilled double is overwritten
;;             afterwards by its true value: the block is then exactly C's rows (the JS side reserves
;;             room for the spill of the last rows).
;; The register tile is 4 rows x 4 columns = 8 f64x2 accumulators $c<row><half>, half 0 = columns
;; 0-1, half 1 = columns 2-3. Each k step loads two f64x2 of B and splats four scalars of A.
;; `first` = 1 stores the tile, 0 adds it to what the C block holds (needs ldc = 4*ceil(n/4)).
(module
  (memory (export "memory") 1)
  (func (export "macro")
    (param $pa i32) (param $pb i32) (param $pc i32)
    (param $mp i32) (param $np i32) (param $kc i32) (param $ldc i32) (param $first i32)
    (local $jp i32) (local $ip i32) (local $ia i32) (local $ib i32) (local $end i32)
    (local $panel i32) (local $row i32) (local $c i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $panel (i32.mul (local.get $kc) (i32.const 32)))
    (local.set $row (i32.mul (local.get $ldc) (i32.const 8)))
    ;; B panel outer, last panel first: one 4 x kc panel of B stays in L1 while the A panels stream past it
    (local.set $jp (local.get $np))
    (block $jdone
      (loop $jloop
        (br_if $jdone (i32.eqz (local.get $jp)))
        (local.set $jp (i32.sub (local.get $jp) (i32.const 1)))
        (local.set $ip (i32.const 0))
        (block $idone
          (loop $iloop
            (br_if $idone (i32.ge_u (local.get $ip) (local.get $mp)))
            (local.set $c00 (v128.const f64x2 0 0))
            (local.set $c01 (v128.const f64x2 0 0))
            (local.set $c10 (v128.const f64x2 0 0))
            (local.set $c11 (v128.const f64x2 0 0))
            (local.set $c20 (v128.const f64x2 0 0))
            (local.set $c21 (v128.const f64x2 0 0))
            (local.set $c30 (v128.const f64x2 0 0))
            (local.set $c31 (v128.const f64x2 0 0))
            (local.set $ia (i32.add (local.get $pa) (i32.mul (local.get $ip) (local.get $panel))))
            (local.set $ib (i32.add (local.get $pb) (i32.mul (local.get $jp) (local.get $panel))))
            (local.set $end (i32.add (local.get $ib) (local.get $panel)))
            (loop $ploop
              (local.set $b0 (v128.load (local.get $ib)))
              (local.set $b1 (v128.load offset=16 (local.get $ib)))
              (local.set $a (v128.load64_splat offset=0 (local.get $ia)))
              (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $a) (local.get $b0))))
              (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $a) (local.get $b1))))
              (local.set $a (v128.load64_splat offset=8 (local.get $ia)))
              (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $a) (local.get $b0))))
              (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $a) (local.get $b1))))
              (local.set $a (v128.load64_splat offset=16 (local.get $ia)))
              (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $a) (local.get $b0))))
              (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $a) (local.get $b1))))
              (local.set $a (v128.load64_splat offset=24 (local.get $ia)))
              (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $a) (local.get $b0))))
              (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $a) (local.get $b1))))
              (local.set $ia (i32.add (local.get $ia) (i32.const 32)))
              (local.set $ib (i32.add (local.get $ib) (i32.const 32)))
              (br_if $ploop (i32.lt_u (local.get $ib) (local.get $end))))
            ;; the tile's first element: row 4*ip, column 4*jp of the C block
            (local.set $c (i32.add (local.get $pc) (i32.add
              (i32.mul (i32.mul (local.get $ip) (i32.const 4)) (local.get $row))
              (i32.mul (local.get $jp) (i32.const 32)))))
            (if (local.get $first)
              (then
                (v128.store offset=0 (local.get $c) (local.get $c00))
                (v128.store offset=16 (local.get $c) (local.get $c01))
                (local.set $c (i32.add (local.get $c) (local.get $row)))
                (v128.store offset=0 (local.get $c) (local.get $c10))
                (v128.store offset=16 (local.get $c) (local.get $c11))
                (local.set $c (i32.add (local.get $c) (local.get $row)))
                (v128.store offset=0 (local.get $c) (local.get $c20))
                (v128.store offset=16 (local.get $c) (local.get $c21))
                (local.set $c (i32.add (local.get $c) (local.get $row)))
                (v128.store offset=0 (local.get $c) (local.get $c30))
                (v128.store offset=16 (local.get $c) (local.get $c31))
              )
              (else
                (v128.store offset=0 (local.get $c) (f64x2.add (v128.load offset=0 (local.get $c)) (local.get $c00)))
                (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c)) (local.get $c01)))
                (local.set $c (i32.add (local.get $c) (local.get $row)))
                (v128.store offset=0 (local.get $c) (f64x2.add (v128.load offset=0 (local.get $c)) (local.get $c10)))
                (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c)) (local.get $c11)))
                (local.set $c (i32.add (local.get $c) (local.get $row)))
                (v128.store offset=0 (local.get $c) (f64x2.add (v128.load offset=0 (local.get $c)) (local.get $c20)))
                (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c)) (local.get $c21)))
                (local.set $c (i32.add (local.get $c) (local.get $row)))
                (v128.store offset=0 (local.get $c) (f64x2.add (v128.load offset=0 (local.get $c)) (local.get $c30)))
                (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c)) (local.get $c31)))
              ))
            (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
            (br $iloop)))
        (br $jloop)))
  )

  ;; The same tile loop over operands read where they lie instead of from packed panels: row r of
  ;; A's panel ip at step p is the double at pa + ip*aPanel + r*rowA + p*lda, and columns c..c+3 of
  ;; B's panel jp at step p are the four doubles at pb + jp*bPanel + p*ldb. Packed panels are
  ;; (aPanel, lda, rowA) = (32 kc, 32, 8) and (bPanel, ldb) = (32 kc, 32); a stored row-major B
  ;; block (columns adjacent) is (32, 8 n); a stored Aᵀ block (rows adjacent) is (32, 8 m, 8), a
  ;; stored A block (k adjacent) is (32 k, 8, 8 k). Lanes past the block's last row or column read
  ;; whatever follows (the JS side keeps memory there) and land only in the padding of the C
  ;; block. Saves the packing pass where the block was copied in whole (Pᵀ X, X Wᵀ).
  (func (export "macro_strided")
    (param $pa i32) (param $aPanel i32) (param $lda i32) (param $rowA i32)
    (param $pb i32) (param $bPanel i32) (param $ldb i32)
    (param $pc i32) (param $mp i32) (param $np i32) (param $kc i32) (param $ldc i32)
    (local $jp i32) (local $ip i32) (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $ib i32) (local $p i32) (local $row i32) (local $c i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $row (i32.mul (local.get $ldc) (i32.const 8)))
    (local.set $jp (local.get $np))
    (block $jdone
      (loop $jloop
        (br_if $jdone (i32.eqz (local.get $jp)))
        (local.set $jp (i32.sub (local.get $jp) (i32.const 1)))
        (local.set $ip (i32.const 0))
        (block $idone
          (loop $iloop
            (br_if $idone (i32.ge_u (local.get $ip) (local.get $mp)))
            (local.set $c00 (v128.const f64x2 0 0))
            (local.set $c01 (v128.const f64x2 0 0))
            (local.set $c10 (v128.const f64x2 0 0))
            (local.set $c11 (v128.const f64x2 0 0))
            (local.set $c20 (v128.const f64x2 0 0))
            (local.set $c21 (v128.const f64x2 0 0))
            (local.set $c30 (v128.const f64x2 0 0))
            (local.set $c31 (v128.const f64x2 0 0))
            (local.set $a0 (i32.add (local.get $pa) (i32.mul (local.get $ip) (local.get $aPanel))))
            (local.set $a1 (i32.add (local.get $a0) (local.get $rowA)))
            (local.set $a2 (i32.add (local.get $a1) (local.get $rowA)))
            (local.set $a3 (i32.add (local.get $a2) (local.get $rowA)))
            (local.set $ib (i32.add (local.get $pb) (i32.mul (local.get $jp) (local.get $bPanel))))
            (local.set $p (local.get $kc))
            (loop $ploop
              (local.set $b0 (v128.load (local.get $ib)))
              (local.set $b1 (v128.load offset=16 (local.get $ib)))
              (local.set $a (v128.load64_splat (local.get $a0)))
              (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $a) (local.get $b0))))
              (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $a) (local.get $b1))))
              (local.set $a (v128.load64_splat (local.get $a1)))
              (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $a) (local.get $b0))))
              (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $a) (local.get $b1))))
              (local.set $a (v128.load64_splat (local.get $a2)))
              (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $a) (local.get $b0))))
              (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $a) (local.get $b1))))
              (local.set $a (v128.load64_splat (local.get $a3)))
              (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $a) (local.get $b0))))
              (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $a) (local.get $b1))))
              (local.set $a0 (i32.add (local.get $a0) (local.get $lda)))
              (local.set $a1 (i32.add (local.get $a1) (local.get $lda)))
              (local.set $a2 (i32.add (local.get $a2) (local.get $lda)))
              (local.set $a3 (i32.add (local.get $a3) (local.get $lda)))
              (local.set $ib (i32.add (local.get $ib) (local.get $ldb)))
              (local.set $p (i32.sub (local.get $p) (i32.const 1)))
              (br_if $ploop (local.get $p)))
            (local.set $c (i32.add (local.get $pc) (i32.add
              (i32.mul (i32.mul (local.get $ip) (i32.const 4)) (local.get $row))
              (i32.mul (local.get $jp) (i32.const 32)))))
            (v128.store offset=0 (local.get $c) (local.get $c00))
            (v128.store offset=16 (local.get $c) (local.get $c01))
            (local.set $c (i32.add (local.get $c) (local.get $row)))
            (v128.store offset=0 (local.get $c) (local.get $c10))
            (v128.store offset=16 (local.get $c) (local.get $c11))
            (local.set $c (i32.add (local.get $c) (local.get $row)))
            (v128.store offset=0 (local.get $c) (local.get $c20))
            (v128.store offset=16 (local.get $c) (local.get $c21))
            (local.set $c (i32.add (local.get $c) (local.get $row)))
            (v128.store offset=0 (local.get $c) (local.get $c30))
            (v128.store offset=16 (local.get $c) (local.get $c31))
            (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
            (br $iloop)))
        (br $jloop)))
  )

  ;; Packs a block of a matrix that is already in this memory into 4-wide panels, the layout the
  ;; macro-kernel streams: panel q holds rows 4q..4q+3 of the block, element (p, r) at
  ;; out + (q*4*kc + p*4 + r)*8; rows past `rows` are zero. Row i, step p of the block is the double
  ;; at src + (i*si + p*sp)*8. Packs op(A) (rows = rows of op(A)) and op(B) (rows = columns of op(B)).
  ;; When si = 1 the four rows of a panel are neighbours and move as two f64x2.
  (func (export "pack")
    (param $src i32) (param $si i32) (param $sp i32) (param $out i32) (param $rows i32) (param $kc i32)
    (local $q i32) (local $panels i32) (local $r i32) (local $n i32) (local $s i32) (local $o i32)
    (local $end i32) (local $spb i32) (local $sib i32)
    (local.set $panels (i32.shr_u (i32.add (local.get $rows) (i32.const 3)) (i32.const 2)))
    (local.set $spb (i32.mul (local.get $sp) (i32.const 8)))
    (local.set $sib (i32.mul (local.get $si) (i32.const 8)))
    (local.set $q (i32.const 0))
    (block $qdone
      (loop $qloop
        (br_if $qdone (i32.ge_u (local.get $q) (local.get $panels)))
        ;; this panel's first source element and first packed element
        (local.set $s (i32.add (local.get $src) (i32.mul (i32.mul (local.get $q) (i32.const 4)) (local.get $sib))))
        (local.set $o (i32.add (local.get $out) (i32.mul (i32.mul (local.get $q) (local.get $kc)) (i32.const 32))))
        (local.set $end (i32.add (local.get $o) (i32.mul (local.get $kc) (i32.const 32))))
        ;; rows of this panel that exist
        (local.set $n (i32.sub (local.get $rows) (i32.mul (local.get $q) (i32.const 4))))
        (if (i32.gt_u (local.get $n) (i32.const 4)) (then (local.set $n (i32.const 4))))
        (if (i32.and (i32.eq (local.get $si) (i32.const 1)) (i32.eq (local.get $n) (i32.const 4)))
          (then
            (loop $vloop
              (v128.store (local.get $o) (v128.load (local.get $s)))
              (v128.store offset=16 (local.get $o) (v128.load offset=16 (local.get $s)))
              (local.set $s (i32.add (local.get $s) (local.get $spb)))
              (local.set $o (i32.add (local.get $o) (i32.const 32)))
              (br_if $vloop (i32.lt_u (local.get $o) (local.get $end)))))
          (else
            ;; one row at a time: row r of the panel goes to every 4th double from o + r*8
            (local.set $r (i32.const 0))
            (loop $rloop
              (if (i32.lt_u (local.get $r) (local.get $n))
                (then
                  (call $row (i32.add (local.get $s) (i32.mul (local.get $r) (local.get $sib))) (local.get $spb)
                    (i32.add (local.get $o) (i32.mul (local.get $r) (i32.const 8))) (local.get $kc)))
                (else
                  (call $zero (i32.add (local.get $o) (i32.mul (local.get $r) (i32.const 8))) (local.get $kc))))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br_if $rloop (i32.lt_u (local.get $r) (i32.const 4))))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $qloop)))
  )

  ;; kc doubles from s (stride spb bytes) to every 4th double from o
  (func $row (param $s i32) (param $spb i32) (param $o i32) (param $kc i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $o) (i32.mul (local.get $kc) (i32.const 32))))
    (loop $l
      (f64.store (local.get $o) (f64.load (local.get $s)))
      (local.set $s (i32.add (local.get $s) (local.get $spb)))
      (local.set $o (i32.add (local.get $o) (i32.const 32)))
      (br_if $l (i32.lt_u (local.get $o) (local.get $end))))
  )

  ;; kc zeros to every 4th double from o
  (func $zero (param $o i32) (param $kc i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $o) (i32.mul (local.get $kc) (i32.const 32))))
    (loop $l
      (f64.store (local.get $o) (f64.const 0))
      (local.set $o (i32.add (local.get $o) (i32.const 32)))
      (br_if $l (i32.lt_u (local.get $o) (local.get $end))))
  )
)
