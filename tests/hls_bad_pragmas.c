/*
 * hls_bad_pragmas.c - test data of sim/hw/csim.sh: pragma lines the
 * syntax check must reject (each marked BAD) beside lines it must accept.
 * The lint must report exactly as many invalid lines as there are BAD
 * marks.  Never compiled into anything.
 */
#define PDS_NPE 4
#define PDS_HALF 2.5
#define PDS_BUNDLE hp0
#define PDS_STR(x) _Pragma(#x)
#define PDS_P(x) PDS_STR(x)

void lint_data(int *a, int *b, int *c);

void lint_data(int *a, int *b, int *c)
{
#pragma HLS interface mode=m_axi port=a offset=slave max_read_burst_length=16 max_widen_bitwidth=128
#pragma HLS array_partition variable=c type=cyclic factor=PDS_NPE dim=1
#pragma HLS unroll factor=PDS_NPE
	PDS_P(HLS interface mode=m_axi port=b bundle=PDS_BUNDLE offset=slave)
#pragma HLS array_partition variable=a type=complete factor=2 /* BAD */
#pragma HLS array_partition variable=a type=cyclic dim=1 /* BAD: cyclic without factor */
#pragma HLS unroll factor=2.5 /* BAD */
#pragma HLS unroll factor=PDS_HALF /* BAD */
#pragma HLS pipeline II=1 speed=fast /* BAD: unknown option */
#pragma HLS pipeline II=0 /* BAD */
#pragma HLS interface mode=m_axi port=b bundle=PDS_BUNDLE /* BAD: keyword macro in a direct pragma */
#pragma HLS interface mode=m_axi port=b max_widen_bitwidth=96 /* BAD */
#pragma HLS interface mode=m_axi port=b max_read_burst_length=512 /* BAD */
#pragma HLS interface mode=axis port=b num_read_outstanding=4 /* BAD: m_axi option */
#pragma HLS bind_storage variable=c type=rom_1p impl=uram /* BAD */
#pragma HLS stream variable=c depth=-1 /* BAD */
#pragma HLS loop_tripcount min=8 max=4 /* BAD */
#pragma HLS dependence variable=c type=inter distance=4 false /* BAD */
#pragma HLS flatten_everything /* BAD: unknown pragma */
	for (int i = 0; i < 4; i++)
		c[i] = a[i] + b[i];
}
