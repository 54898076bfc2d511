/*
 * Prints the first raw outputs of xoshiro256** seeded through SplitMix64, computed by the authors' own C code,
 * for SeededRandomTests.Raw_outputs_match_the_authors_reference_code.
 *
 * The two reference files are not copied here: take them unchanged from the authors' page (prng.di.unimi.it):
 * splitmix64.c (Vigna, 2015) and xoshiro256starstar.c (Blackman & Vigna, 2018), both public domain (CC0), put
 * them next to this file and run
 *
 *     gcc -O2 -std=c99 -o reference_outputs reference_outputs.c && ./reference_outputs
 *
 * Both files name their step function next() and keep their state in file-scope statics (x and s), so each is
 * included under its own name for next().
 */
#include <inttypes.h>
#include <stdio.h>

#define next splitmix64_next
#include "splitmix64.c"
#undef next

#define next xoshiro256starstar_next
#include "xoshiro256starstar.c"
#undef next

/* The seeding the authors recommend: the first four outputs of a SplitMix64 started at the seed fill s. */
static void seed_from(uint64_t seed) {
	x = seed;
	for (int i = 0; i < 4; i++) {
		s[i] = splitmix64_next();
	}
}

int main(void) {
	/* 42 is the library's default seed; UINT64_MAX is the seed -1 of the C# API, read as 64 unsigned bits. */
	const uint64_t seeds[] = { 42, UINT64_MAX };
	for (int k = 0; k < 2; k++) {
		seed_from(seeds[k]);
		printf("seed %" PRIu64 ":\n", seeds[k]);
		for (int i = 0; i < 8; i++) {
			printf("    0x%016" PRIX64 "UL,\n", xoshiro256starstar_next());
		}
	}
	return 0;
}
