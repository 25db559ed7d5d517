// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The state file's reader (src/state.c), built for the host under ASan and
 * UBSan, fed a file state_encode() wrote, then every one-byte change, every
 * truncation, and damage written with a valid checksum the way a careful
 * attacker or a buggy writer would. A damaged file must be refused, never
 * trusted, never crash; a good one must read back as it was written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define CHECK_PREFIX ""
#include "check.h"
#include "rng.h"
#include "state.h"

#define ROUNDS 20000

static __u64 rng_state = 0x2545F4914F6CDD1DULL;

static __u64 rnd(void)
{
	return rng_next(&rng_state);
}

static void add_table(struct ft_instance *inst, int slot, const char *spec, bool removed,
		      __u32 id)
{
	char err[128];

	inst->cat.tables[slot].id = id;
	table_spec_parse(spec, &inst->cat.tables[slot].spec, err, sizeof(err));
	table_spec_to_cfg(&inst->cat.tables[slot].spec, 3, &inst->cat.tables[slot].cfg);
	inst->cat.tables[slot].used = true;
	inst->cat.tables[slot].removed = removed;
}

static void add_entry(struct ft_counts *c, __u32 table, __u16 dport, __u8 dir, __u64 packets)
{
	struct ft_key key = { .proto = 6, .dport = dport, .dir = dir };
	struct ft_value val = { .packets = packets, .bytes = packets * 100 };

	counts_append(c, table, &key, &val);
	c->entries[c->nr_entries - 1].last_active = 1700000000u + dport;
}

/* An instance with two interfaces (slots 1 and 2), a live table, a wide one
 * and a removed one; totals and both baselines with entries and interface
 * counters, and a removed interfaces' sum. */
static void make_state(struct ft_instance *inst, struct ft_counts *total)
{
	struct ft_iface *ifc;
	int g, p;

	memset(inst, 0, sizeof(*inst));
	counts_init(total);
	inst->cat.dirmask = 3;
	catalog_init(&inst->cat, 8);
	catalog_new_iface(&inst->cat, "eth0", 2);
	ifc = catalog_new_iface(&inst->cat, "veth-a", 17);
	ifc->followed = true;
	ifc->gone = true;
	ifc->unread = 2;
	inst->cat.ifaces_retired = 3;
	add_table(inst, 0, "ports=proto,dport", false, 1);
	add_table(inst, 1, "flows=flow:size=1000:idle=5", false, 5);	/* a reused slot */
	add_table(inst, 2, "gone=sport:lru", true, 3);
	total->start = 1700000000.5;
	counts_iface_reserve(total, 3);
	total->iface[1][0][FT_CNT_SEEN].packets = 1234;
	total->iface[2][1][FT_CNT_UNCL(FT_UNCL_FRAGMENT)].bytes = 99;
	total->removed[1][FT_CNT_SEEN].packets = 55;
	for (p = 0; p < 40; p++)
		add_entry(total, (__u32)(p % 3), (__u16)(1000 + p), (__u8)(p & 1), (__u64)p + 1);
	for (g = 0; g < FT_GENERATIONS; g++) {
		counts_init(&inst->base[g]);
		counts_iface_reserve(&inst->base[g], 3);
		inst->base[g].iface[2][0][FT_CNT_SEEN].packets = 11 + g;
		inst->base[g].table[0][0][FT_TBL_INSERTS].packets = 7 + g;
		for (p = 0; p < 10; p++)
			add_entry(&inst->base[g], (__u32)(p % 2), (__u16)(2000 + p), 0, (__u64)p + 3);
	}
}

static void free_state(struct ft_instance *inst, struct ft_counts *total)
{
	counts_free(total);
	counts_free(&inst->base[0]);
	counts_free(&inst->base[1]);
	catalog_free(&inst->cat);
}

/* Parses a copy of exactly `len` bytes, so a read past the end is caught. */
static int parse(const void *buf, size_t len, char *why, size_t whylen)
{
	struct ft_instance *inst = calloc(1, sizeof(*inst));
	struct ft_counts total;
	void *copy = malloc(len ? len : 1);
	__u64 flips;
	int err;

	counts_init(&total);
	memcpy(copy, buf, len);
	err = state_parse(copy, len, inst, &total, &flips, why, whylen);
	free_state(inst, &total);
	free(inst);
	free(copy);
	return err;
}

static void fix_crc(unsigned char *buf, size_t len)
{
	const size_t at = 44;	/* offsetof(struct state_header, crc) */
	uLong crc = crc32(0L, Z_NULL, 0);
	__u32 zero = 0, v;

	crc = crc32(crc, buf, at);
	crc = crc32(crc, (const Bytef *)&zero, 4);
	crc = crc32_z(crc, buf + at + 4, len - at - 4);
	v = (__u32)crc;
	memcpy(buf + at, &v, 4);
}

static void test_state_reads_back_what_was_written(void)
{
	struct ft_instance *inst = calloc(1, sizeof(*inst)), *back = calloc(1, sizeof(*back));
	struct ft_counts total, total2;
	void *buf, *buf2;
	size_t len, len2;
	char why[128] = "";
	__u64 flips = 0;

	make_state(inst, &total);
	ASSERT_EQ(state_encode(inst, &total, 42, &buf, &len), 0, "encode");
	counts_init(&total2);
	ASSERT_EQ(state_parse(buf, len, back, &total2, &flips, why, sizeof(why)), 0, why);
	ASSERT_EQ(flips, 42, "flips");
	ASSERT_EQ(total2.nr_entries, 40, "total entries");
	ASSERT_EQ(back->base[1].nr_entries, 10, "baseline entries");
	ASSERT_EQ(back->base[1].entries[3].last_active, 1700000000u + 2003, "last_active kept");
	ASSERT_EQ(back->cat.tables[1].spec.idle, 5, "idle kept");
	ASSERT_STREQ(back->cat.ifaces[2].name, "veth-a", "interface name");
	ASSERT_TRUE(back->cat.ifaces[2].gone && back->cat.ifaces[2].followed &&
			    back->cat.ifaces[2].unread == 2 && !back->cat.ifaces[1].gone,
		    "interface flags");
	ASSERT_EQ(back->cat.max_ifaces, 8, "capacity");
	ASSERT_EQ(back->cat.ifaces_retired, 3, "retired count");
	ASSERT_EQ(total2.iface[1][0][FT_CNT_SEEN].packets, 1234, "interface counter");
	ASSERT_EQ(total2.removed[1][FT_CNT_SEEN].packets, 55, "removed interfaces' sum");
	ASSERT_EQ(back->base[1].iface[2][0][FT_CNT_SEEN].packets, 12, "baseline interface counter");
	ASSERT_EQ(back->cat.tables[1].id, 5, "table id kept");
	ASSERT_EQ(back->cat.tables[2].id, 3, "a removed table's id kept");
	ASSERT_EQ(state_encode(back, &total2, flips, &buf2, &len2), 0, "encode again");
	ASSERT_TRUE(len == len2 && !memcmp(buf, buf2, len), "the same bytes again");
	free(buf);
	free(buf2);
	free_state(inst, &total);
	free_state(back, &total2);
	free(inst);
	free(back);
}

static void test_state_every_byte_changed_is_refused(void)
{
	struct ft_instance *inst = calloc(1, sizeof(*inst));
	struct ft_counts total;
	unsigned char *buf;
	char why[128];
	size_t len, i, taken = 0;

	make_state(inst, &total);
	state_encode(inst, &total, 1, (void **)&buf, &len);
	for (i = 0; i < len; i++) {
		buf[i] ^= 1 << (i % 8);
		taken += parse(buf, len, why, sizeof(why)) == 0;
		buf[i] ^= 1 << (i % 8);
	}
	ASSERT_EQ(taken, 0, "one-byte changes taken for good");
	for (i = 0; i < len; i++)
		taken += parse(buf, i, why, sizeof(why)) == 0;
	ASSERT_EQ(taken, 0, "truncated files taken for good");
	free(buf);
	free_state(inst, &total);
	free(inst);
}

/* What the review did: one header word set huge, a table name without its
 * terminator, a bad magic; each with a checksum that matches. */
static void test_state_damage_with_good_checksum_is_named(void)
{
	struct ft_instance *inst = calloc(1, sizeof(*inst));
	struct ft_counts total;
	unsigned char *buf;
	char why[128];
	size_t len;
	__u32 huge = 0x7fffffff;

	make_state(inst, &total);
	state_encode(inst, &total, 1, (void **)&buf, &len);

	memcpy(buf + 40, &huge, 4);	/* nr_ifaces: slots in the file */
	fix_crc(buf, len);
	ASSERT_EQ(parse(buf, len, why, sizeof(why)), -EBADMSG, "huge interface count");
	ASSERT_CONTAINS(why, "size", "names the size");
	free(buf);

	state_encode(inst, &total, 1, (void **)&buf, &len);
	/* the first table's name, filled to its end */
	memset(buf + 96 + 3 * 32, 'x', FT_TABLE_NAME_MAX);
	fix_crc(buf, len);
	ASSERT_EQ(parse(buf, len, why, sizeof(why)), -EBADMSG, "name without terminator");
	ASSERT_CONTAINS(why, "table name", "names the table name");
	free(buf);

	state_encode(inst, &total, 1, (void **)&buf, &len);
	buf[96 + 32 + 20] = 2;		/* eth0's used flag */
	fix_crc(buf, len);
	ASSERT_EQ(parse(buf, len, why, sizeof(why)), -EBADMSG, "an interface flag not 0 or 1");
	ASSERT_CONTAINS(why, "interface's flags", "names the interface's flags");
	free(buf);

	state_encode(inst, &total, 1, (void **)&buf, &len);
	buf[96 + 4] = 'x';		/* slot 0, FT_IFACE_OTHER, is never used */
	fix_crc(buf, len);
	ASSERT_EQ(parse(buf, len, why, sizeof(why)), -EBADMSG, "slot 0 not empty");
	ASSERT_CONTAINS(why, "unused interface slot", "names the slot");
	free(buf);

	state_encode(inst, &total, 1, (void **)&buf, &len);
	huge = FT_IFACES_LIMIT + 1;
	memcpy(buf + 80, &huge, 4);	/* max_ifaces */
	fix_crc(buf, len);
	ASSERT_EQ(parse(buf, len, why, sizeof(why)), -EBADMSG, "capacity past the limit");
	ASSERT_CONTAINS(why, "interface capacity", "names the capacity");
	free(buf);

	state_encode(inst, &total, 1, (void **)&buf, &len);
	buf[0] = 'X';
	fix_crc(buf, len);
	ASSERT_EQ(parse(buf, len, why, sizeof(why)), -EBADMSG, "bad magic");
	ASSERT_CONTAINS(why, "not a flowtally state file", "says what it is not");
	free(buf);

	state_encode(inst, &total, 1, (void **)&buf, &len);
	buf[8] = 1;			/* version 1: the layout before baselines */
	fix_crc(buf, len);
	ASSERT_EQ(parse(buf, len, why, sizeof(why)), -EPROTO, "old version");
	ASSERT_CONTAINS(why, "layout version 1/", "names the version found");
	free(buf);
	free_state(inst, &total);
	free(inst);
}

/* Two live interfaces of one ifindex, or of one name, are damage (the
 * programs map an ifindex to one slot); a gone one may share either with a
 * live one (a device deleted, another given its name or index). */
static void test_state_duplicate_live_interfaces_refused(void)
{
	struct ft_instance *inst = calloc(1, sizeof(*inst));
	struct ft_counts total;
	struct ft_iface *ifc;
	unsigned char *buf;
	char why[128];
	size_t len;

	make_state(inst, &total);
	ifc = catalog_new_iface(&inst->cat, "eth1", 2);	/* eth0's ifindex */
	state_encode(inst, &total, 1, (void **)&buf, &len);
	ASSERT_EQ(parse(buf, len, why, sizeof(why)), -EBADMSG, "two live slots of ifindex 2");
	ASSERT_CONTAINS(why, "one ifindex", "names the ifindex");
	free(buf);

	ifc->ifindex = 3;
	snprintf(ifc->name, sizeof(ifc->name), "eth0");
	state_encode(inst, &total, 1, (void **)&buf, &len);
	ASSERT_EQ(parse(buf, len, why, sizeof(why)), -EBADMSG, "two live slots named eth0");
	ASSERT_CONTAINS(why, "one name", "names the name");
	free(buf);

	ifc->ifindex = 17;		/* the gone veth-a's ifindex and its name */
	snprintf(ifc->name, sizeof(ifc->name), "veth-a");
	state_encode(inst, &total, 1, (void **)&buf, &len);
	ASSERT_EQ(parse(buf, len, why, sizeof(why)), 0, "a live one beside a gone one of its name");
	free(buf);
	free_state(inst, &total);
	free(inst);
}

/* Where a table's id is in the file: after the header (96 bytes, its
 * nr_ifaces at 40), the interface slots (32 bytes each) and the table slots
 * before it; last in its slot. */
#define STATE_HEADER_SIZE 96
#define STATE_IFACE_SIZE 32
#define STATE_TABLE_SIZE 164
static size_t table_id_at(const unsigned char *buf, int slot)
{
	__u32 nr_ifaces;

	memcpy(&nr_ifaces, buf + 40, sizeof(nr_ifaces));
	return STATE_HEADER_SIZE + (size_t)nr_ifaces * STATE_IFACE_SIZE +
	       (size_t)slot * STATE_TABLE_SIZE + STATE_TABLE_SIZE - 4;
}

/* Table ids: two tables with one id, a table without one (layout version 3
 * always has them), an id past FT_TABLE_ID_MAX (its IPFIX domain would
 * wrap) and an id in an unused slot are damage; a file of an earlier layout (ids in
 * what was padding, maybe numbered again by a flowtally without them) is
 * refused as another layout. */
static void test_state_table_ids_unique_present_and_capped(void)
{
	struct ft_instance *inst = calloc(1, sizeof(*inst));
	struct ft_counts total;
	unsigned char *buf;
	char why[128] = "";
	__u32 id;
	size_t len;

	make_state(inst, &total);
	state_encode(inst, &total, 1, (void **)&buf, &len);
	memcpy(&id, buf + table_id_at(buf, 1), 4);
	ASSERT_EQ(id, 5, "the id where the test looks");
	id = 1;
	memcpy(buf + table_id_at(buf, 1), &id, 4);
	fix_crc(buf, len);
	ASSERT_EQ(parse(buf, len, why, sizeof(why)), -EBADMSG, "two tables with id 1");
	ASSERT_CONTAINS(why, "one id", "names the ids");
	free(buf);

	state_encode(inst, &total, 1, (void **)&buf, &len);
	id = 9;
	memcpy(buf + table_id_at(buf, 5), &id, 4);
	fix_crc(buf, len);
	ASSERT_EQ(parse(buf, len, why, sizeof(why)), -EBADMSG, "an unused slot with an id");
	free(buf);

	state_encode(inst, &total, 1, (void **)&buf, &len);
	id = 0;
	memcpy(buf + table_id_at(buf, 0), &id, 4);
	fix_crc(buf, len);
	ASSERT_EQ(parse(buf, len, why, sizeof(why)), -EBADMSG, "a table without an id");
	ASSERT_CONTAINS(why, "without an id", "names it");
	free(buf);

	state_encode(inst, &total, 1, (void **)&buf, &len);
	id = FT_TABLE_ID_MAX + 1;
	memcpy(buf + table_id_at(buf, 0), &id, 4);
	fix_crc(buf, len);
	ASSERT_EQ(parse(buf, len, why, sizeof(why)), -EBADMSG, "an id past FT_TABLE_ID_MAX");
	free(buf);

	state_encode(inst, &total, 1, (void **)&buf, &len);
	id = FT_TABLE_ID_MAX;
	memcpy(buf + table_id_at(buf, 0), &id, 4);
	fix_crc(buf, len);
	ASSERT_EQ(parse(buf, len, why, sizeof(why)), 0, "FT_TABLE_ID_MAX itself");
	free(buf);

	state_encode(inst, &total, 1, (void **)&buf, &len);
	ASSERT_EQ(FT_STATE_VERSION, 4, "this layout");
	buf[8] = 3;
	fix_crc(buf, len);
	ASSERT_EQ(parse(buf, len, why, sizeof(why)), -EPROTO, "version 3 refused");
	ASSERT_CONTAINS(why, "layout version 3/", "names the version found");
	free(buf);
	free_state(inst, &total);
	free(inst);
}

/* Random words changed, checksum fixed: refused or read, never a crash, and
 * what is read is within bounds. */
static void test_state_random_damage_never_crashes(void)
{
	struct ft_instance *inst = calloc(1, sizeof(*inst)), *back = calloc(1, sizeof(*back));
	struct ft_counts total, total2;
	unsigned char *buf, *mut;
	char why[128];
	size_t len, i, bad_entries = 0;
	__u64 flips;
	int r, n;

	make_state(inst, &total);
	state_encode(inst, &total, 1, (void **)&buf, &len);
	mut = malloc(len);
	for (r = 0; r < ROUNDS; r++) {
		memcpy(mut, buf, len);
		for (n = 1 + (int)(rnd() % 4); n > 0; n--) {
			size_t at = rnd() % (len - 3);
			__u32 v = (__u32)rnd();

			if (rnd() & 1)
				v &= 0xff;
			memcpy(mut + at, &v, 4);
		}
		fix_crc(mut, len);
		memset(back, 0, sizeof(*back));
		counts_init(&total2);
		if (!state_parse(mut, len, back, &total2, &flips, why, sizeof(why))) {
			for (i = 0; i < total2.nr_entries; i++)
				bad_entries += total2.entries[i].table >= FT_MAX_TABLES ||
					       !back->cat.tables[total2.entries[i].table].used;
			bad_entries += back->cat.nr_ifaces > (int)back->cat.max_ifaces + 1 ||
				       total2.nr_iface < (__u32)back->cat.nr_ifaces;
		}
		free_state(back, &total2);
	}
	ASSERT_EQ(bad_entries, 0, "what was read names only what exists");
	free(mut);
	free(buf);
	free_state(inst, &total);
	free(inst);
	free(back);
}

/* Thousands of interfaces, some gone, counters in every slot: read back
 * exactly, and written again byte for byte. */
static void test_state_many_interfaces_round_trip(void)
{
	struct ft_instance *inst = calloc(1, sizeof(*inst)), *back = calloc(1, sizeof(*back));
	struct ft_counts total, total2;
	char why[128] = "", name[IF_NAMESIZE];
	void *buf, *buf2;
	size_t len, len2;
	__u64 flips, bad = 0;
	__u32 i;

	make_state(inst, &total);
	catalog_init(&inst->cat, 4096);
	for (i = 1; i <= 3000; i++) {
		struct ft_iface *ifc;

		snprintf(name, sizeof(name), "ftp%u", i);
		ifc = catalog_new_iface(&inst->cat, name, 100 + i);
		ifc->followed = true;
		if (i % 7 == 0) {
			ifc->gone = true;
			ifc->unread = i % 4;
		}
	}
	counts_iface_reserve(&total, 3001);
	for (i = 0; i <= 3000; i++)
		total.iface[i][i & 1][FT_CNT_SEEN] = (struct ft_value){ i * 3 + 1, i * 300 + 64 };
	ASSERT_EQ(state_encode(inst, &total, 9, &buf, &len), 0, "encode");
	counts_init(&total2);
	ASSERT_EQ(state_parse(buf, len, back, &total2, &flips, why, sizeof(why)), 0, why);
	ASSERT_EQ(back->cat.nr_ifaces, 3001, "slots");
	for (i = 1; i <= 3000; i++) {
		snprintf(name, sizeof(name), "ftp%u", i);
		bad += strcmp(back->cat.ifaces[i].name, name) || back->cat.ifaces[i].ifindex != 100 + i ||
		       back->cat.ifaces[i].gone != (i % 7 == 0) ||
		       total2.iface[i][i & 1][FT_CNT_SEEN].packets != i * 3 + 1 ||
		       total2.iface[i][i & 1][FT_CNT_SEEN].bytes != i * 300 + 64;
	}
	ASSERT_EQ(bad, 0, "every interface and its counters read back");
	ASSERT_EQ(state_encode(back, &total2, flips, &buf2, &len2), 0, "encode again");
	ASSERT_TRUE(len == len2 && !memcmp(buf, buf2, len), "the same bytes again");
	free(buf);
	free(buf2);
	free_state(inst, &total);
	free_state(back, &total2);
	free(inst);
	free(back);
}

int main(int argc, char **argv)
{
	static const struct check_test tests[] = {
#include "test_state_fuzz.tests.h"
	};

	return check_main(tests, (int)(sizeof(tests) / sizeof(tests[0])), argc, argv);
}
