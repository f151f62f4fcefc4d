// tests/store/store_power_loss_test.cpp - Power loss and I/O errors under the store, through a
// fault-injecting SQLite VFS (SQLite's own crash-test approach, src/test6.c, rewritten small).
//
// FaultVfs wraps the default VFS. Every write passes through to the file, and what it overwrote
// is kept in an undo log per file until that file's next sync. At the chosen sync or write the
// "power goes": that call and every later write, sync and truncate fail without touching the disk,
// the store is closed, and then each write not yet synced is kept, dropped (its old bytes back) or
// torn (half of it back), at random. The store must then open, pass integrity_check and hold the
// old totals or the new ones. The I/O error mode fails one chosen write with SQLITE_IOERR_WRITE and
// nothing else: the delivery fails, the store keeps the old totals, and a rerun succeeds.
#include "core/store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "tests/store/store_fixtures.h"

namespace ec::store_test {
namespace {

struct UndoEntry {
  sqlite3_int64 offset = 0;
  std::vector<unsigned char> old_bytes; ///< what the write replaced (zeros past the old end)
  std::size_t length = 0;               ///< of the write
};

struct FileLog {
  sqlite3_int64 synced_size = -1; ///< size at the last sync (-1: unknown, the file is new)
  std::vector<UndoEntry> undo;    ///< writes since the last sync, oldest first
};

enum class Fault { None, CrashAtSync, CrashAtWrite, IoErrorAtWrite };

struct FaultState {
  sqlite3_vfs* real = nullptr;
  Fault fault = Fault::None;
  std::uint64_t fail_at = 0; ///< index of the sync or write the fault hits
  std::uint64_t syncs = 0;
  std::uint64_t writes = 0;
  bool armed = false; ///< faults and counting start once the store is open
  bool crashed = false;
  bool fired = false;
  std::map<std::string, FileLog> logs; ///< by file name; temporary files have none
};

FaultState g_state;

struct FaultFile {
  sqlite3_file base;
  sqlite3_file* real;
  std::string* name; ///< nullptr for files without a name
};

sqlite3_file* real_of(sqlite3_file* file) {
  return reinterpret_cast<FaultFile*>(file)->real;
}

FileLog* log_of(sqlite3_file* file) {
  std::string* name = reinterpret_cast<FaultFile*>(file)->name;
  return name ? &g_state.logs[*name] : nullptr;
}

int fault_close(sqlite3_file* file) {
  FaultFile* fault = reinterpret_cast<FaultFile*>(file);
  int rc = fault->real->pMethods ? fault->real->pMethods->xClose(fault->real) : SQLITE_OK;
  delete fault->name;
  fault->name = nullptr;
  return rc;
}

int fault_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  return real_of(file)->pMethods->xRead(real_of(file), out, amount, offset);
}

int fault_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  if (g_state.crashed)
    return SQLITE_IOERR_WRITE;
  if (!g_state.armed)
    return real_of(file)->pMethods->xWrite(real_of(file), data, amount, offset);
  std::uint64_t index = g_state.writes++;
  if (g_state.fault == Fault::IoErrorAtWrite && index == g_state.fail_at) {
    g_state.fired = true;
    return SQLITE_IOERR_WRITE;
  }
  if (g_state.fault == Fault::CrashAtWrite && index == g_state.fail_at) {
    g_state.fired = true;
    g_state.crashed = true;
    return SQLITE_IOERR_WRITE;
  }
  sqlite3_file* real = real_of(file);
  if (FileLog* log = log_of(file)) {
    sqlite3_int64 size = 0;
    if (real->pMethods->xFileSize(real, &size) != SQLITE_OK)
      size = 0;
    if (log->synced_size < 0 && log->undo.empty())
      log->synced_size = size;
    UndoEntry entry;
    entry.offset = offset;
    entry.length = static_cast<std::size_t>(amount);
    entry.old_bytes.assign(entry.length, 0);
    if (offset < size) {
      int readable = static_cast<int>(std::min<sqlite3_int64>(amount, size - offset));
      int rc = real->pMethods->xRead(real, entry.old_bytes.data(), readable, offset);
      if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ)
        return rc;
    }
    log->undo.push_back(std::move(entry));
  }
  return real->pMethods->xWrite(real, data, amount, offset);
}

int fault_truncate(sqlite3_file* file, sqlite3_int64 size) {
  if (g_state.crashed)
    return SQLITE_IOERR_TRUNCATE;
  sqlite3_file* real = real_of(file);
  if (FileLog* log = g_state.armed ? log_of(file) : nullptr) {
    // Truncation is a metadata change: kept as an undo of the cut bytes until the next sync.
    sqlite3_int64 old_size = 0;
    if (real->pMethods->xFileSize(real, &old_size) == SQLITE_OK && old_size > size) {
      if (log->synced_size < 0 && log->undo.empty())
        log->synced_size = old_size;
      UndoEntry entry;
      entry.offset = size;
      entry.length = static_cast<std::size_t>(old_size - size);
      entry.old_bytes.assign(entry.length, 0);
      int rc =
          real->pMethods->xRead(real, entry.old_bytes.data(), static_cast<int>(entry.length), size);
      if (rc != SQLITE_OK)
        return rc;
      log->undo.push_back(std::move(entry));
    }
  }
  return real->pMethods->xTruncate(real, size);
}

int fault_sync(sqlite3_file* file, int flags) {
  if (g_state.crashed)
    return SQLITE_IOERR_FSYNC;
  if (!g_state.armed)
    return real_of(file)->pMethods->xSync(real_of(file), flags);
  std::uint64_t index = g_state.syncs++;
  if (g_state.fault == Fault::CrashAtSync && index == g_state.fail_at) {
    g_state.fired = true;
    g_state.crashed = true;
    return SQLITE_IOERR_FSYNC;
  }
  int rc = real_of(file)->pMethods->xSync(real_of(file), flags);
  if (rc == SQLITE_OK) {
    if (FileLog* log = log_of(file)) {
      log->undo.clear();
      log->synced_size = -1;
    }
  }
  return rc;
}

int fault_file_size(sqlite3_file* file, sqlite3_int64* size) {
  return real_of(file)->pMethods->xFileSize(real_of(file), size);
}
int fault_lock(sqlite3_file* file, int level) {
  return real_of(file)->pMethods->xLock(real_of(file), level);
}
int fault_unlock(sqlite3_file* file, int level) {
  return real_of(file)->pMethods->xUnlock(real_of(file), level);
}
int fault_check_reserved(sqlite3_file* file, int* out) {
  return real_of(file)->pMethods->xCheckReservedLock(real_of(file), out);
}
int fault_file_control(sqlite3_file* file, int op, void* arg) {
  return real_of(file)->pMethods->xFileControl(real_of(file), op, arg);
}
int fault_sector_size(sqlite3_file* file) {
  return real_of(file)->pMethods->xSectorSize(real_of(file));
}
int fault_device(sqlite3_file* file) {
  return real_of(file)->pMethods->xDeviceCharacteristics(real_of(file));
}
int fault_shm_map(sqlite3_file* file, int page, int size, int extend, void volatile** out) {
  return real_of(file)->pMethods->xShmMap(real_of(file), page, size, extend, out);
}
int fault_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  return real_of(file)->pMethods->xShmLock(real_of(file), offset, n, flags);
}
void fault_shm_barrier(sqlite3_file* file) {
  real_of(file)->pMethods->xShmBarrier(real_of(file));
}
int fault_shm_unmap(sqlite3_file* file, int delete_flag) {
  return real_of(file)->pMethods->xShmUnmap(real_of(file), delete_flag);
}

const sqlite3_io_methods kFaultMethods = {2, // no xFetch/xUnfetch: the store runs without mmap
                                          fault_close,
                                          fault_read,
                                          fault_write,
                                          fault_truncate,
                                          fault_sync,
                                          fault_file_size,
                                          fault_lock,
                                          fault_unlock,
                                          fault_check_reserved,
                                          fault_file_control,
                                          fault_sector_size,
                                          fault_device,
                                          fault_shm_map,
                                          fault_shm_lock,
                                          fault_shm_barrier,
                                          fault_shm_unmap,
                                          nullptr,
                                          nullptr};

int fault_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  (void)vfs;
  FaultFile* fault = reinterpret_cast<FaultFile*>(file);
  fault->real = reinterpret_cast<sqlite3_file*>(fault + 1);
  fault->name = nullptr;
  fault->base.pMethods = nullptr;
  int rc = g_state.real->xOpen(g_state.real, name, fault->real, flags, out_flags);
  if (rc != SQLITE_OK)
    return rc;
  if (name)
    fault->name = new std::string(name);
  fault->base.pMethods = &kFaultMethods;
  return SQLITE_OK;
}

int fault_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  if (g_state.crashed)
    return SQLITE_IOERR_DELETE;
  g_state.logs.erase(name);
  return g_state.real->xDelete(g_state.real, name, sync_dir);
}
int fault_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_state.real->xAccess(g_state.real, name, flags, out);
}
int fault_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return g_state.real->xFullPathname(g_state.real, name, size, out);
}
int fault_randomness(sqlite3_vfs*, int size, char* out) {
  return g_state.real->xRandomness(g_state.real, size, out);
}
int fault_sleep(sqlite3_vfs*, int microseconds) {
  return g_state.real->xSleep(g_state.real, microseconds);
}
int fault_current_time(sqlite3_vfs*, double* out) {
  return g_state.real->xCurrentTime(g_state.real, out);
}
int fault_last_error(sqlite3_vfs*, int size, char* out) {
  return g_state.real->xGetLastError(g_state.real, size, out);
}
int fault_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_state.real->xCurrentTimeInt64(g_state.real, out);
}

sqlite3_vfs g_fault_vfs;

// Installs the fault VFS as the default for the scope (the store opens with the default VFS).
class FaultVfsScope {
public:
  FaultVfsScope(Fault fault, std::uint64_t fail_at) {
    sqlite3_initialize();
    g_state = FaultState{};
    g_state.real = sqlite3_vfs_find("unix");
    g_state.fault = fault;
    g_state.fail_at = fail_at;
    g_fault_vfs = sqlite3_vfs{};
    g_fault_vfs.iVersion = 2;
    g_fault_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + g_state.real->szOsFile;
    g_fault_vfs.mxPathname = g_state.real->mxPathname;
    g_fault_vfs.zName = "ec-fault";
    g_fault_vfs.xOpen = fault_open;
    g_fault_vfs.xDelete = fault_delete;
    g_fault_vfs.xAccess = fault_access;
    g_fault_vfs.xFullPathname = fault_full_pathname;
    g_fault_vfs.xRandomness = fault_randomness;
    g_fault_vfs.xSleep = fault_sleep;
    g_fault_vfs.xCurrentTime = fault_current_time;
    g_fault_vfs.xGetLastError = fault_last_error;
    g_fault_vfs.xCurrentTimeInt64 = fault_current_time_int64;
    EXPECT_EQ(sqlite3_vfs_register(&g_fault_vfs, 1), SQLITE_OK);
  }
  ~FaultVfsScope() {
    sqlite3_vfs_unregister(&g_fault_vfs);
    sqlite3_vfs_register(sqlite3_vfs_find("unix"), 1);
  }
  FaultVfsScope(const FaultVfsScope&) = delete;
  FaultVfsScope& operator=(const FaultVfsScope&) = delete;
};

// What the disk holds after the power cut: every write since its file's last sync is kept,
// dropped or torn (half of it reverted, at a 512-byte boundary), newest first.
void lose_power(std::mt19937& random) {
  for (auto& [name, log] : g_state.logs) {
    if (log.undo.empty())
      continue;
    std::FILE* file = std::fopen(name.c_str(), "r+b");
    if (!file)
      continue; // deleted since (the staging file)
    for (auto entry = log.undo.rbegin(); entry != log.undo.rend(); ++entry) {
      int choice = static_cast<int>(random() % 3);
      if (choice == 0)
        continue; // kept
      std::size_t revert_from = 0;
      std::size_t revert_to = entry->length;
      if (choice == 2 && entry->length > 512) { // torn: one half reached the disk
        std::size_t half = (entry->length / 2) / 512 * 512;
        if (random() % 2)
          revert_from = half;
        else
          revert_to = half;
      }
      std::fseek(file, static_cast<long>(entry->offset + static_cast<sqlite3_int64>(revert_from)),
                 SEEK_SET);
      std::fwrite(entry->old_bytes.data() + revert_from, 1, revert_to - revert_from, file);
    }
    std::fclose(file);
    // A file that grew since its last sync may also lose the growth.
    if (log.synced_size >= 0 && random() % 2) {
      std::error_code error;
      if (fs::file_size(name, error) > static_cast<std::uintmax_t>(log.synced_size))
        fs::resize_file(name, static_cast<std::uintmax_t>(log.synced_size), error);
    }
  }
}

std::vector<KeyedTotals> old_rows() {
  std::vector<KeyedTotals> rows;
  for (int i = 0; i < 300; ++i) {
    char account[16];
    std::snprintf(account, sizeof account, "%d", 1000 + i % 37);
    char hour[32];
    std::snprintf(hour, sizeof hour, "2026-11-%02dT%02d:00:00Z", 1 + (i / 24) % 28, i % 24);
    rows.push_back(row(202611, "1", account, hour, "USD", "1.25"));
  }
  rows.push_back(row(202610, "1", "5", "2026-10-01T00:00:00Z", "USD", "8"));
  return rows;
}

std::vector<KeyedTotals> new_rows() {
  std::vector<KeyedTotals> rows = old_rows();
  for (std::size_t i = 0; i < rows.size(); i += 3)
    rows[i].totals[Measure::Unblended] = dec("2.5");
  rows.push_back(row(202612, "1", "6", "2026-12-01T00:00:00Z", "EUR", "3"));
  return rows;
}

struct State {
  std::vector<std::string> rows;
  std::vector<std::string> records;
  bool operator==(const State&) const = default;
};

void PrintTo(const State& state, std::ostream* out) {
  *out << state.rows.size() << " rows";
  for (const std::string& record : state.records)
    *out << "; " << record;
}

State state_of(const std::string& path) {
  Store store;
  Status opened = store.open(path.c_str(), OpenMode::ReadOnly);
  EXPECT_TRUE(opened.ok()) << opened.error().message;
  return {dump(store), deliveries(store)};
}

std::string integrity(const std::string& path) {
  sqlite3* db = nullptr;
  std::string result = "cannot open";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* check = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &check, nullptr) == SQLITE_OK &&
        sqlite3_step(check) == SQLITE_ROW)
      result = reinterpret_cast<const char*>(sqlite3_column_text(check, 0));
    else
      result = sqlite3_errmsg(db);
    sqlite3_finalize(check);
  }
  sqlite3_close(db);
  return result;
}

void make_old_store(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-staging"})
    fs::remove(path + suffix);
  Store store;
  open_rw(store, path);
  deliver(store, old_rows(), "old", 2);
}

// One delivery of new_rows() over the old store: begin, stage in three batches, commit.
Status deliver_new(Store& store) {
  EC_TRY(store.begin_delivery());
  std::vector<KeyedTotals> rows = new_rows();
  std::size_t third = rows.size() / 3;
  for (std::size_t at = 0; at < rows.size(); at += third) {
    std::size_t count = std::min(third, rows.size() - at);
    EC_TRY(store.stage(std::span<const KeyedTotals>(rows.data() + at, count)));
  }
  PeriodOutcome outcomes[4];
  Result<std::size_t> committed = store.commit_delivery({"new", "test-source", 2}, outcomes, 4);
  if (!committed.ok())
    return committed.error();
  return {};
}

// `name`: each test its own files (CTest runs tests in parallel processes).
void reference_states(const char* name, State& old_state, State& new_state, std::uint64_t& syncs,
                      std::uint64_t& writes) {
  std::string path = test_path(name);
  make_old_store(path);
  old_state = state_of(path);
  {
    FaultVfsScope counting(Fault::None, 0);
    Store store;
    open_rw(store, path);
    g_state.armed = true;
    ASSERT_TRUE(deliver_new(store).ok());
    store.close();
    syncs = g_state.syncs;
    writes = g_state.writes;
  }
  new_state = state_of(path);
  ASSERT_NE(old_state, new_state);
}

TEST(StorePowerLoss, AtEverySyncAndManyWritesTheStoreHoldsOldOrNewTotals) {
  State old_state, new_state;
  std::uint64_t syncs = 0, writes = 0;
  reference_states("power_loss_reference", old_state, new_state, syncs, writes);
  ASSERT_GT(syncs, 3u);
  std::string path = test_path("power_loss");
  std::mt19937 random(20261207);
  std::uint64_t points = 0, old_seen = 0, new_seen = 0;
  auto run_case = [&](Fault fault, std::uint64_t at, std::uint32_t seed) {
    make_old_store(path);
    std::mt19937 loss(seed);
    {
      FaultVfsScope scope(fault, at);
      {
        Store store;
        open_rw(store, path);
        g_state.armed = true;
        Status delivered = deliver_new(store);
        (void)delivered; // fails at the crash, or completes when the point is past the end
      }                  // closed: the process is gone
      if (g_state.fired)
        lose_power(loss);
    }
    ++points;
    EXPECT_EQ(integrity(path), "ok") << "fault " << static_cast<int>(fault) << " at " << at;
    State now = state_of(path);
    if (now == old_state) {
      ++old_seen;
    } else {
      EXPECT_EQ(now, new_state) << "a mix after fault " << static_cast<int>(fault) << " at " << at;
      ++new_seen;
    }
    // And the next writer completes the delivery.
    Store store;
    open_rw(store, path);
    EXPECT_TRUE(deliver_new(store).ok());
    store.close();
    EXPECT_EQ(state_of(path), new_state);
  };
  for (std::uint64_t at = 0; at < syncs; ++at)
    for (std::uint32_t pattern = 0; pattern < 8; ++pattern)
      run_case(Fault::CrashAtSync, at, static_cast<std::uint32_t>(random()));
  for (std::uint64_t at = 0; at < writes; ++at)
    run_case(Fault::CrashAtWrite, at, static_cast<std::uint32_t>(random()));
  EXPECT_GT(old_seen, 0u);
  EXPECT_GT(new_seen, 0u);
  std::printf("[ measured ] power loss: %llu syncs and %llu writes in one delivery; %llu cases "
              "(every sync x 8 loss patterns, every write x 1): %llu old, %llu new totals\n",
              static_cast<unsigned long long>(syncs), static_cast<unsigned long long>(writes),
              static_cast<unsigned long long>(points), static_cast<unsigned long long>(old_seen),
              static_cast<unsigned long long>(new_seen));
}

TEST(StorePowerLoss, AnIoErrorAtAnyWriteFailsTheDeliveryAndKeepsTheStore) {
  State old_state, new_state;
  std::uint64_t syncs = 0, writes = 0;
  reference_states("io_error_reference", old_state, new_state, syncs, writes);
  std::string path = test_path("io_error");
  std::uint64_t failed = 0;
  for (std::uint64_t at = 0; at < writes; ++at) {
    make_old_store(path);
    Status delivered;
    {
      FaultVfsScope scope(Fault::IoErrorAtWrite, at);
      Store store;
      open_rw(store, path);
      g_state.armed = true;
      delivered = deliver_new(store);
    }
    if (!delivered.ok()) {
      ++failed;
      EXPECT_EQ(delivered.error().code, ErrorCode::Store) << "write " << at;
      EXPECT_STREQ(delivered.error().message,
                   "store: the disk holding the store failed a read or write (I/O error): check "
                   "the disk, or move [store] path; the store keeps what it had")
          << "write " << at;
    }
    EXPECT_EQ(integrity(path), "ok") << "write " << at;
    State now = state_of(path);
    // A failed write before the commit's end leaves the old totals; a failure after the commit
    // (while giving space back) leaves the new ones, and the delivery stands.
    EXPECT_TRUE(now == old_state || now == new_state) << "a mix after an error at write " << at;
    Store store;
    open_rw(store, path);
    EXPECT_TRUE(deliver_new(store).ok()) << "the rerun after an error at write " << at;
    store.close();
    EXPECT_EQ(state_of(path), new_state);
  }
  EXPECT_GT(failed, writes / 2);
  std::printf("[ measured ] I/O errors: %llu writes in one delivery, each failed once: %llu "
              "failed the delivery, every store intact and every rerun complete\n",
              static_cast<unsigned long long>(writes), static_cast<unsigned long long>(failed));
}

} // namespace
} // namespace ec::store_test
