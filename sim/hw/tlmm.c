/*
 * tlmm.c - ternary matrix multiply by table lookup (static region).
 *
 * For each group of G int8 activations, a table of its 3^G partial sums
 * (one per pattern of G ternary weights) replaces G multiplies by one
 * lookup.  T tables are built per kb step from T*G consecutive
 * activations and live in registers; Q output lanes each look up all T
 * tables with their own indices in the same cycle (a 3^G-way mux per
 * table and lane) and add the T entries into an int32 accumulator.
 *
 * Loop nest of one call (one tile of tokens through one K x N matrix):
 *     for kb  < ceil(K/(T*G))        weights of this kb step: ceil(N/Q) rows,
 *       for t < tokens                read from DDR once, reused by every token
 *         for nb < ceil(N/Q)          II 1: Q lanes x T lookups
 * flattened into one pipelined loop, so the depth is paid once per call:
 *     cycles = ceil(K/(T*G)) * tokens * ceil(N/Q) * II + depth,
 * engine_tlmm_mat_cycles() x tokens + depth in models/engine.c.  Tables are
 * rebuilt when nb wraps (every ceil(N/Q) cycles), from activations the
 * surrounding pipeline keeps on chip (x, y are ap_memory ports).  An
 * accumulator is updated once per tokens*ceil(N/Q) iterations, at least
 * PDS_TLMM_ACC_DIST apart, which the dependence pragma tells the tool.
 *
 * A dataflow region runs the weight loader (m_axi, one bundle per weight
 * HP port) beside the lookup loop; the loader's time is the model's
 * weight-streaming term, not part of these cycles.  The loader reads
 * exactly the packed indices of the matrix, ceil(K/G) * N * IDX_BITS bits
 * rounded up to one beat of every port: the model's weight bytes, at up
 * to the ports' full width per cycle.
 */
#include "tlmm.h"

/* Contract of tlmm.h. */
static int shape_ok(int k, int n, int tokens)
{
	return k >= 1 && k <= PDS_TLMM_K_MAX && n >= PDS_TLMM_N_MIN && n <= PDS_TLMM_N_MAX && tokens >= 1 &&
	       tokens <= PDS_TLMM_TOK_TILE;
}

typedef struct {
	uint64_t w[PDS_W_ROW_WORDS];
} tlmm_row;

/* Append the 64 bits of w at bit `at` of buf (bits past `at` are 0). */
static void put_bits(uint64_t buf[PDS_W_BUF_WORDS], int at, uint64_t w)
{
	const int i = at / 64, sh = at % 64;
	buf[i] |= w << sh;
	if (sh && i + 1 < PDS_W_BUF_WORDS)
		buf[i + 1] |= w >> (64 - sh);
}

/* IDX_BITS bits at bit `at` of buf. */
static int get_bits(const uint64_t buf[PDS_W_BUF_WORDS], int at)
{
	const int i = at / 64, sh = at % 64;
	uint64_t v = buf[i] >> sh;
	if (sh + PDS_TLMM_IDX_BITS > 64 && i + 1 < PDS_W_BUF_WORDS)
		v |= buf[i + 1] << (64 - sh);
	return (int)(v & ((1u << PDS_TLMM_IDX_BITS) - 1));
}

/* Drop the first `n` bits of buf (a funnel shift towards bit 0). */
static void drop_bits(uint64_t buf[PDS_W_BUF_WORDS], int n)
{
	const int ws = n / 64, bs = n % 64;
	for (int i = 0; i < PDS_W_BUF_WORDS; i++) {
#pragma HLS unroll
		const uint64_t lo = i + ws < PDS_W_BUF_WORDS ? buf[i + ws] : 0;
		const uint64_t hi = i + ws + 1 < PDS_W_BUF_WORDS ? buf[i + ws + 1] : 0;
		buf[i] = bs ? lo >> bs | hi << (64 - bs) : lo;
	}
}

/*
 * Unpack the weight stream into rows.  Each cycle that the bit buffer
 * holds less than the next row needs, one beat of the port width is read
 * from every port (beat j of the stream from port j % P); a row is cut from the buffer
 * as soon as its indices are there and spread to its T*Q slots, the
 * slots past K or N reading pattern 0 (their table is all zero, or
 * their column is dropped).
 */
static void tlmm_load(HW_PARAMS(PDS_W_PORTS, const uint64_t *, w), tlmm_row rows[PDS_TLMM_ROWS_MAX], int k, int n,
		      int tokens)
{
	const int groups = (k + PDS_TLMM_G - 1) / PDS_TLMM_G;
	const int kbs = (groups + PDS_TLMM_T - 1) / PDS_TLMM_T, nbs = (n + PDS_TLMM_Q - 1) / PDS_TLMM_Q;
	const int nrows = shape_ok(k, n, tokens) ? kbs * nbs : 0;
	uint64_t buf[PDS_W_BUF_WORDS];
#pragma HLS array_partition variable=buf type=complete dim=1
	for (int i = 0; i < PDS_W_BUF_WORDS; i++) {
#pragma HLS unroll
		buf[i] = 0;
	}
	int have = 0, r = 0, kb = 0, nb = 0;
	long g = 0;
	/* TLMM_LOAD */
	for (long it = 0; r < nrows; it++) {
#pragma HLS pipeline II=1
#pragma HLS loop_tripcount min=1 max=PDS_W_LOAD_TRIPS_MAX
		const int tv = groups - kb * PDS_TLMM_T < PDS_TLMM_T ? groups - kb * PDS_TLMM_T : PDS_TLMM_T;
		const int qv = n - nb * PDS_TLMM_Q < PDS_TLMM_Q ? n - nb * PDS_TLMM_Q : PDS_TLMM_Q;
		const int need = tv * qv * PDS_TLMM_IDX_BITS;
		if (have < need) {
			HW_TRIP(tlmm_reads);
			for (int p = 0; p < PDS_W_PORTS; p++) {
#pragma HLS unroll
				for (int u = 0; u < PDS_W_WORDS_PER_BEAT; u++) {
#pragma HLS unroll
					const int at = have + 64 * (p * PDS_W_WORDS_PER_BEAT + u);
					put_bits(buf, at, HW_PICK(PDS_W_PORTS, w, p, g * PDS_W_WORDS_PER_BEAT + u));
				}
			}
			have += 64 * PDS_W_PORTS * PDS_W_WORDS_PER_BEAT;
			g++;
		} else {
			tlmm_row row;
			for (int j = 0; j < PDS_W_ROW_WORDS; j++) {
#pragma HLS unroll
				row.w[j] = 0;
			}
			for (int t = 0; t < PDS_TLMM_T; t++) {
#pragma HLS unroll
				for (int q = 0; q < PDS_TLMM_Q; q++) {
#pragma HLS unroll
					if (t < tv && q < qv) {
						const int idx = get_bits(buf, (t * qv + q) * PDS_TLMM_IDX_BITS);
						const int at = (t * PDS_TLMM_Q + q) * PDS_TLMM_IDX_BITS;
						row.w[at / 64] |= (uint64_t)idx << (at % 64);
						if (at % 64 + PDS_TLMM_IDX_BITS > 64)
							row.w[at / 64 + 1] |= (uint64_t)idx >> (64 - at % 64);
					}
				}
			}
			drop_bits(buf, need);
			have -= need;
			rows[r++] = row;
			if (++nb == nbs) {
				nb = 0;
				kb++;
			}
		}
	}
}

/* Slot e of table t: sum over g of (digit g of e in base 3, minus 1) * a_g,
 * activations past k reading 0; slots past 3^G read 0. */
static void build_tables(const int8_t xt[PDS_TLMM_K_MAX], int kb, int k,
			 int16_t tab[PDS_TLMM_T][PDS_TLMM_TAB_SIZE])
{
	for (int t = 0; t < PDS_TLMM_T; t++) {
#pragma HLS unroll
		for (int e = 0; e < PDS_TLMM_TAB_SIZE; e++) {
#pragma HLS unroll
			int s = 0, r = e;
			for (int g = 0; g < PDS_TLMM_G; g++) {
#pragma HLS unroll
				const int col = (kb * PDS_TLMM_T + t) * PDS_TLMM_G + g;
				const int a = col < k ? xt[col] : 0;
				s += (r % 3 - 1) * a;
				r /= 3;
			}
			tab[t][e] = (int16_t)(e < PDS_TLMM_ENTRIES ? s : 0);
		}
	}
}

/* Index i of a row: IDX_BITS bits at bit i * IDX_BITS, maybe across two words. */
static int row_index(const uint64_t row[PDS_W_ROW_WORDS], int i)
{
	const int bit = i * PDS_TLMM_IDX_BITS, wd = bit / 64, sh = bit % 64;
	uint64_t v = row[wd] >> sh;
	if (sh + PDS_TLMM_IDX_BITS > 64)
		v |= row[wd + 1] << (64 - sh);
	return (int)(v & ((1u << PDS_TLMM_IDX_BITS) - 1));
}

static void tlmm_compute(const tlmm_row rows[PDS_TLMM_ROWS_MAX], const int8_t x[PDS_TLMM_TOK_TILE][PDS_TLMM_K_MAX],
			 int32_t y[PDS_TLMM_TOK_TILE][PDS_TLMM_N_MAX], int k, int n, int tokens)
{
	static uint64_t wbuf[PDS_TLMM_NB_MAX][PDS_W_ROW_WORDS];
#pragma HLS array_partition variable=wbuf type=complete dim=2
#pragma HLS bind_storage variable=wbuf type=ram_s2p impl=uram
	static int32_t acc[PDS_TLMM_TOK_TILE][PDS_TLMM_N_MAX];
#pragma HLS array_partition variable=acc type=cyclic factor=PDS_TLMM_Q dim=2
	PDS_PRAGMA(HLS bind_storage variable=acc type=ram_2p impl=PDS_TLMM_ACC_IMPL)
	int16_t tab[PDS_TLMM_T][PDS_TLMM_TAB_SIZE];
#pragma HLS array_partition variable=tab type=complete dim=0

	const int kbs = (k + PDS_TLMM_T * PDS_TLMM_G - 1) / (PDS_TLMM_T * PDS_TLMM_G);
	const int nbs = (n + PDS_TLMM_Q - 1) / PDS_TLMM_Q;
	const int trips = shape_ok(k, n, tokens) ? kbs * tokens * nbs : 0;
	int kb = 0, tok = 0, nb = 0, r = 0;
	HW_TRIP(tlmm_starts);
	/* TLMM_MAIN */
	for (int it = 0; it < trips; it++) {
#pragma HLS pipeline II=PDS_TLMM_II
#pragma HLS loop_tripcount min=1 max=PDS_TLMM_TRIPS_MAX
#pragma HLS dependence variable=acc type=inter direction=RAW distance=PDS_TLMM_ACC_DIST true
		HW_TRIP(tlmm_main);
		if (nb == 0)
			build_tables(x[tok], kb, k, tab);
		uint64_t row[PDS_W_ROW_WORDS];
#pragma HLS array_partition variable=row type=complete dim=1
		for (int wd = 0; wd < PDS_W_ROW_WORDS; wd++) {
#pragma HLS unroll
			if (tok == 0) {
				row[wd] = rows[r].w[wd];
				wbuf[nb][wd] = row[wd];
			} else {
				row[wd] = wbuf[nb][wd];
			}
		}
		if (tok == 0)
			r++;
		for (int q = 0; q < PDS_TLMM_Q; q++) {
#pragma HLS unroll
			const int col = nb * PDS_TLMM_Q + q;
			int32_t s = 0;
			for (int t = 0; t < PDS_TLMM_T; t++) {
#pragma HLS unroll
				s += tab[t][row_index(row, t * PDS_TLMM_Q + q)];
			}
			if (col < n) {
				const int32_t a = (kb == 0 ? 0 : acc[tok][col]) + s;
				if (kb == kbs - 1)
					y[tok][col] = a;
				else
					acc[tok][col] = a;
			}
		}
		if (++nb == nbs) {
			nb = 0;
			if (++tok == tokens) {
				tok = 0;
				kb++;
			}
		}
	}
}

void tlmm(HW_PARAMS(PDS_W_PORTS, const uint64_t *, w), const int8_t x[PDS_TLMM_TOK_TILE][PDS_TLMM_K_MAX],
	  int32_t y[PDS_TLMM_TOK_TILE][PDS_TLMM_N_MAX], int k, int n, int tokens)
{
	PDS_PRAGMA(HLS interface mode=m_axi port=w0 bundle=PDS_W0_BUNDLE offset=slave max_read_burst_length=PDS_W_BURST num_read_outstanding=PDS_W_OUTSTANDING max_widen_bitwidth=PDS_W0_WIDEN_BITS)
#if PDS_W_PORTS > 1
	PDS_PRAGMA(HLS interface mode=m_axi port=w1 bundle=PDS_W1_BUNDLE offset=slave max_read_burst_length=PDS_W_BURST num_read_outstanding=PDS_W_OUTSTANDING max_widen_bitwidth=PDS_W1_WIDEN_BITS)
#endif
#if PDS_W_PORTS > 2
	PDS_PRAGMA(HLS interface mode=m_axi port=w2 bundle=PDS_W2_BUNDLE offset=slave max_read_burst_length=PDS_W_BURST num_read_outstanding=PDS_W_OUTSTANDING max_widen_bitwidth=PDS_W2_WIDEN_BITS)
#endif
#if PDS_W_PORTS > 3
	PDS_PRAGMA(HLS interface mode=m_axi port=w3 bundle=PDS_W3_BUNDLE offset=slave max_read_burst_length=PDS_W_BURST num_read_outstanding=PDS_W_OUTSTANDING max_widen_bitwidth=PDS_W3_WIDEN_BITS)
#endif
#pragma HLS interface mode=ap_memory port=x
#pragma HLS interface mode=ap_memory port=y
#pragma HLS array_partition variable=x type=cyclic factor=PDS_TLMM_XPART dim=2
#pragma HLS array_partition variable=y type=cyclic factor=PDS_TLMM_Q dim=2
#pragma HLS interface mode=s_axilite port=k
#pragma HLS interface mode=s_axilite port=n
#pragma HLS interface mode=s_axilite port=tokens
#pragma HLS interface mode=s_axilite port=return
#pragma HLS dataflow
	static tlmm_row rows[PDS_TLMM_ROWS_MAX];
#pragma HLS stream variable=rows depth=PDS_W_FIFO_DEPTH
	tlmm_load(HW_NAMES(PDS_W_PORTS, w), rows, k, n, tokens);
	tlmm_compute(rows, x, y, k, n, tokens);
}
