# dfx_harness.tcl - run the Tcl and XDC of `pdswap-dse emit-dfx` in plain tclsh, with
# the Vivado commands they call defined as procedures that record their calls, and
# check what was recorded:
#
#   tclsh tests/dfx_harness.tcl FACTS.tcl DIR
#
# FACTS.tcl (written by tests/check_dfx.c from the config, not by emit-dfx) sets the
# clock-region grid, the partition's cell and module, what the larger RM needs, the
# routability margin and the frame geometry.  DIR holds pds_floorplan.xdc and
# pds_dfx_project.tcl.  Prints one "FAIL: ..." line per broken rule, then
# "bytes N" (the partial bitstream counted here from the recorded ranges) and
# "done"; exits 1 when a rule failed.

set facts [lindex $argv 0]
set dir [lindex $argv 1]
source $facts

set calls {}
set failures 0
proc fail {msg} {
    global failures
    puts "FAIL: $msg"
    incr failures
}
proc record {args} {
    global calls
    lappend calls $args
}

# --- the Vivado commands, as recorders
proc create_pblock {name} { record create_pblock $name; return $name }
proc get_pblocks {args} { return [lindex $args end] }
proc get_cells {args} {
    # get_cells -quiet [list A B]
    set names [lindex $args end]
    return $names
}
proc add_cells_to_pblock {pb cells} { record add_cells_to_pblock $pb $cells }
proc resize_pblock {pb opt ranges} { record resize_pblock $pb $opt $ranges }
proc set_property {prop value obj} { record set_property $prop $value $obj }
proc current_project {} { return project_1 }
proc create_partition_def {args} { record create_partition_def {*}$args; return pd }
proc get_partition_defs {name} { return $name }
proc create_reconfig_module {args} { record create_reconfig_module {*}$args }
proc get_reconfig_modules {name} { return $name }
proc add_files {args} { record add_files {*}$args }
proc create_pr_configuration {args} { record create_pr_configuration {*}$args }
proc get_runs {name} { return $name }
proc get_property {prop obj} { return "Vivado Implementation 2024" }
proc create_run {args} { record create_run {*}$args }

if {[catch {source [file join $dir pds_floorplan.xdc]} e]} { fail "pds_floorplan.xdc: $e" }
if {[catch {source [file join $dir pds_dfx_project.tcl]} e]} { fail "pds_dfx_project.tcl: $e" }

proc calls_of {cmd} {
    global calls
    set out {}
    foreach c $calls {
        if {[lindex $c 0] eq $cmd} { lappend out $c }
    }
    return $out
}
proc opt {call name} {
    set i [lsearch -exact $call $name]
    if {$i < 0} { return "" }
    return [lindex $call [expr {$i + 1}]]
}

# --- the pblock
set pbs [calls_of create_pblock]
if {[llength $pbs] != 1} { fail "[llength $pbs] create_pblock calls, want 1" }
set pb [lindex [lindex $pbs 0] 1]
set adds [calls_of add_cells_to_pblock]
if {[llength $adds] != 1 || [lindex [lindex $adds 0] 1] ne $pb || [lindex [lindex $adds 0] 2] ne $cell} {
    fail "add_cells_to_pblock does not put $cell into $pb: $adds"
}
set snap 0
foreach c [calls_of set_property] {
    if {[lindex $c 1] eq "SNAPPING_MODE" && [lindex $c 2] eq "ON" && [lindex $c 3] eq $pb} { set snap 1 }
}
if {!$snap} { fail "no SNAPPING_MODE ON on $pb" }

# --- every range: on the grid, on whole clock-region rows (URAM288 kept), counted
foreach t {SLICE DSP48E2 RAMB18 RAMB36 URAM288} { set sites($t) 0 }
set segs(SLICE) {}; set segs(DSP48E2) {}; set segs(RAMB36) {}; set segs(RAMB18) {}; set segs(URAM288) {}
foreach c [calls_of resize_pblock] {
    if {[lindex $c 1] ne $pb || [lindex $c 2] ne "-add"} { fail "resize_pblock not -add on $pb: $c"; continue }
    foreach r [lindex $c 3] {
        if {![regexp {^([A-Z0-9]+)_X([0-9]+)Y([0-9]+):([A-Z0-9]+)_X([0-9]+)Y([0-9]+)$} $r -> t x0 y0 t2 x1 y1]} {
            fail "range '$r' is not TYPE_XnYn:TYPE_XnYn"; continue
        }
        if {$t ne $t2 || ![info exists grid(per_row,$t)]} { fail "range '$r': site type"; continue }
        if {$x0 > $x1 || $y0 > $y1} { fail "range '$r' is not lower-left first"; continue }
        set h $grid(per_row,$t)
        if {$x1 >= $grid(ncols,$t) || $y1 >= $grid(rows) * $h} { fail "range '$r' is off the grid"; continue }
        if {$t ne "URAM288" && ($y0 % $h != 0 || ($y1 + 1) % $h != 0)} {
            fail "range '$r' is not snapped to whole clock-region rows of $h sites"
        }
        incr sites($t) [expr {($x1 - $x0 + 1) * ($y1 - $y0 + 1)}]
        for {set x $x0} {$x <= $x1} {incr x} {
            for {set row [expr {$y0 / $h}]} {$row <= $y1 / $h} {incr row} {
                if {[lsearch -exact $segs($t) "$x,$row"] >= 0} { fail "range '$r' covers segment $x,$row twice" }
                lappend segs($t) "$x,$row"
            }
        }
    }
}
# RAMB18 and RAMB36 name the same column segments
if {[lsort $segs(RAMB18)] ne [lsort $segs(RAMB36)]} { fail "RAMB18 ranges $segs(RAMB18) are not the RAMB36 ones $segs(RAMB36)" }
if {$sites(RAMB18) != 2 * $sites(RAMB36)} { fail "RAMB18 sites $sites(RAMB18) are not twice the RAMB36 $sites(RAMB36)" }

# --- what the ranges hold against the larger RM (LUT, FF within the margin)
set hold(LUT) [expr {$sites(SLICE) * $grid(lut_per_slice)}]
set hold(FF) [expr {$sites(SLICE) * $grid(ff_per_slice)}]
set hold(DSP) $sites(DSP48E2)
set hold(BRAM36) $sites(RAMB36)
set hold(URAM) $sites(URAM288)
foreach k {LUT FF DSP BRAM36 URAM} {
    set cap $hold($k)
    if {$k eq "LUT" || $k eq "FF"} { set cap [expr {$margin * $cap}] }
    if {$need($k) > $cap + 1e-9} { fail "$k: the RM needs $need($k), the ranges hold $hold($k) (usable $cap)" }
    puts "hold $k $hold($k)"
}

# --- the project skeleton
set prf 0
foreach c [calls_of set_property] {
    if {[lindex $c 1] eq "PR_FLOW" && [lindex $c 2] eq "1"} { set prf 1 }
}
if {!$prf} { fail "PR_FLOW is not set" }
set pds [calls_of create_partition_def]
if {[llength $pds] != 1 || [opt [lindex $pds 0] -module] ne $module} { fail "create_partition_def: $pds" }
set pdname [opt [lindex $pds 0] -name]
set rms {}
foreach c [calls_of create_reconfig_module] {
    if {[opt $c -partition_def] ne $pdname || [opt $c -top] ne $module} { fail "create_reconfig_module: $c" }
    lappend rms [opt $c -name]
}
if {[lsort $rms] ne [lsort {rm_prefill rm_decode}]} { fail "reconfig modules $rms" }
set cfgs {}
foreach c [calls_of create_pr_configuration] {
    set parts [opt $c -partitions]
    if {[llength $parts] != 1} { fail "create_pr_configuration $c: one partition expected"; continue }
    set pr [split [lindex $parts 0] :]
    if {[lindex $pr 0] ne $cell || [lsearch -exact $rms [lindex $pr 1]] < 0} { fail "create_pr_configuration $c" }
    lappend cfgs [list [opt $c -name] [lindex $pr 1]]
}
if {[llength $cfgs] != 2 || [lindex [lindex $cfgs 0] 1] eq [lindex [lindex $cfgs 1] 1]} {
    fail "want one configuration per RM: $cfgs"
}
set xdc 0
foreach c [calls_of add_files] {
    if {[string match *pds_floorplan.xdc [lindex $c end]] && [lsearch -exact $c constrs_1] >= 0} { set xdc 1 }
}
if {!$xdc} { fail "the XDC is not added to constrs_1" }
set child [calls_of create_run]
if {[llength $child] != 1 || [opt [lindex $child 0] -parent_run] ne "impl_1"} { fail "create_run: $child" }

# --- the partial bitstream, from the recorded ranges
set n_clb [llength $segs(SLICE)]
set n_dsp [llength $segs(DSP48E2)]
set n_bram [llength $segs(RAMB36)]
set n_uram [llength $segs(URAM288)]
set n_int [expr {($n_clb + $n_dsp + $n_bram + $n_uram + 1) / 2}]
set frames [expr {$n_clb * $fr(clb) + $n_dsp * $fr(dsp) + $n_bram * ($fr(bram_config) + $fr(bram_content)) \
                  + $n_uram * $fr(uram) + $n_int * $fr(int)}]
puts "segments $n_clb $n_dsp $n_bram $n_uram"
puts "frames $frames"
puts "bytes [expr {$frames * $fr(frame_bytes) + $fr(overhead)}]"
puts "done"
exit [expr {$failures > 0}]
