/* manifest.json: every file of a run directory with its size and SHA-256,
 * so a report can be checked later (sha256sum -c style). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rp_report_int.h"

int rp_report_write_manifest(const char *dir, const char *const *files, size_t n, const rp_report_t *r)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    rp_report_out_t o;
    if (rp_report_out_open(&o, path) != RP_OK)
        return RP_ERR_IO;
    FILE *f = o.f;
    fputs("{\n  \"schema\": \"rramprof.manifest/1\",\n  \"report_schema\": ", f);
    rp_report_json_str(f, RP_REPORT_SCHEMA);
    fputs(",\n  \"tool\": ", f);
    rp_report_json_str(f, r && r->tool_version ? r->tool_version : "");
    fputs(",\n  \"capture\": ", f);
    rp_report_json_str(f, r && r->capture_path ? r->capture_path : "");
    fputs(",\n  \"files\": [", f);
    for (size_t i = 0; i < n; i++) {
        char fp[4200], hex[65];
        struct stat st;
        snprintf(fp, sizeof fp, "%s/%s", dir, files[i]);
        if (stat(fp, &st) != 0 || rp_sha256_file(fp, hex) != RP_OK) {
            int saved = errno;
            fclose(o.f);
            remove(o.tmp);
            errno = saved;
            return RP_ERR_IO;
        }
        fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", f);
        rp_report_json_str(f, files[i]);
        fprintf(f, ", \"size\": %" PRIu64 ", \"sha256\": \"%s\"}", (uint64_t)st.st_size, hex);
    }
    fputs(n ? "\n  ]\n}\n" : "]\n}\n", f);
    return rp_report_out_commit(&o);
}
