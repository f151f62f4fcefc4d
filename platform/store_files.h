// platform/store_files.h - The store's folder and file, created private before SQLite opens them.
#pragma once

#include "core/base/result.h"

#include <cstddef>

namespace ec::platform {

/// The store holds per-account costs and account names: nobody else needs to read it. So a writer
/// creates what is missing privately, and existing folders and files keep their modes.
///
/// create_store_folder: each missing folder on the way to `store_path` is created 0700 (the
/// writer lock's file lives there too, so this comes first). create_store_file: a missing
/// database file is created empty, 0600; SQLite opens an empty file as a new database and gives
/// its -wal and -shm files the database file's mode, so they are 0600 too. Errors (lib Errno):
/// Permission "store: cannot create the store's folder" / "store: cannot create the database
/// file", Io for the same on other errors, InvalidArgument "store: path is too long".
Status create_store_folder(const char* store_path);
Status create_store_file(const char* store_path);

/// Files a writer creates from now on are private (umask 077): the staging file SQLite creates
/// beside the store for each delivery, and SQLite's temporary files.
void make_new_files_private();

/// Moves a damaged store out of the way: `<store_path>` and its -wal and -shm files are renamed
/// to `<store_path>.damaged-<stamp>` (+ the same suffixes), where `stamp` is e.g.
/// "20261207T163728Z". The new name is written to `moved_to` (terminated). Errors (lib Errno):
/// Io "store: cannot move the damaged store aside", InvalidArgument when a name does not fit.
Status move_store_aside(const char* store_path, const char* stamp, char* moved_to,
                        std::size_t moved_to_size);

} // namespace ec::platform
