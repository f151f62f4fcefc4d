// firmware/commands.h - One function per `edgecur` command; each returns the exit code.
#pragma once

namespace ec::firmware {

int run_ingest(int argc, char** argv);
int run_report(int argc, char** argv);
int run_config(int argc, char** argv);
int run_status(int argc, char** argv);
int run_once(int argc, char** argv);
int run_verify(int argc, char** argv);
int run_policy(int argc, char** argv);
int run_forget(int argc, char** argv);

} // namespace ec::firmware
