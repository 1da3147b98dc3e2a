# The one reading of shared/contracts/warehouse-views.json for Terraform: BigQuery SQL of every materialized view
# (deterministic, so BigQuery can maintain it incrementally) and of every rolling view over one (the only place
# CURRENT_TIMESTAMP appears). shared/contracts/warehouse-views.ts renders the same definitions for the code, and a
# test checks that both renderings of the BigQuery SQL are identical.

locals {
  definitions = jsondecode(file(var.views_path))
  tables      = jsondecode(file(var.tables_path)).tables

  # Keywords and functions upper case, columns lower case.
  measure_sql = {
    for name, v in local.definitions.materializedViews : name => [
      for m in v.measures : format("%s AS %s",
        m.fn == "COUNT" ? "COUNT(*)" : contains(["MAX_BY", "MIN_BY"], m.fn) ? "${m.fn}(${m.column}, ${m.by})" : "${m.fn}(${m.column})",
        m.as,
      )
    ]
  }

  materialized_views = {
    for name, v in local.definitions.materializedViews : name => {
      dataset     = split(".", name)[0]
      table       = split(".", name)[1]
      description = try(v.description, "")
      source      = v.source
      partition   = v.partition
      cluster     = try(v.cluster, [])
      # Columns of the source the view reads, for a check against the generated schema.
      source_columns = distinct(concat(
        v.groupBy,
        [v.bucket.column],
        flatten([for m in v.measures : [for c in [try(m.column, null), try(m.by, null)] : c if c != null]]),
      ))
      query = join("\n", [
        "SELECT",
        join(",\n", concat(
          [for c in v.groupBy : "  ${c}"],
          ["  TIMESTAMP_TRUNC(${v.bucket.column}, ${v.bucket.unit}) AS ${v.bucket.as}"],
          [for s in local.measure_sql[name] : "  ${s}"],
        )),
        "FROM `${var.project_id}.${v.source}`",
        "GROUP BY ${join(", ", concat(v.groupBy, [v.bucket.as]))}",
      ])
      bucket_hours = v.bucket.unit == "HOUR" ? 1 : 24
    }
  }

  # The bucket bound (window + one bucket) lets BigQuery prune the view's partitions; the time column applies the
  # exact window.
  rolling_views = {
    for name, v in local.definitions.rollingViews : name => {
      dataset      = split(".", name)[0]
      table        = split(".", name)[1]
      description  = try(v.description, "")
      over         = v.over
      window_hours = v.windowHours
      query = join("\n", [
        "SELECT *",
        "FROM `${var.project_id}.${v.over}`",
        "WHERE ${v.bucketColumn} >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL ${v.windowHours + try(local.materialized_views[v.over].bucket_hours, 1)} HOUR)",
        "  AND ${v.timeColumn} >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL ${v.windowHours} HOUR)",
      ])
    }
  }

  problems = concat(
    [for n, v in local.definitions.materializedViews : "${n}: source ${v.source} is not a generated table" if !contains(keys(local.tables), v.source)],
    [for n, v in local.materialized_views : "${n}: must live in the dataset of its source ${v.source}" if v.dataset != split(".", v.source)[0]],
    flatten([for n, v in local.materialized_views : [
      for c in v.source_columns : "${n}: reads ${c}, not a column of ${v.source}"
      if !contains([for col in try(local.tables[v.source].schema, []) : col.name], c)
    ]]),
    [for n, v in local.definitions.materializedViews : "${n}: bucket ${v.bucket.column} must be the partitioning column of ${v.source}" if try(local.tables[v.source].partition_field, "") != v.bucket.column],
    [for n, v in local.definitions.materializedViews : "${n}: partitions on ${v.partition.field}, which is not its bucket ${v.bucket.as}" if v.partition.field != v.bucket.as],
    [for n, v in local.definitions.materializedViews : "${n}: bucket unit must be HOUR or DAY" if !contains(["HOUR", "DAY"], v.bucket.unit)],
    flatten([for n, v in local.definitions.materializedViews : [
      for m in v.measures : "${n}.${m.as}: ${m.fn} is not an incremental aggregate"
      if !contains(["COUNT", "MIN", "MAX", "AVG", "SUM", "MAX_BY", "MIN_BY"], m.fn)
    ]]),
    [for n, v in local.definitions.rollingViews : "${n}: over ${v.over}, which is not a materialized view here" if !contains(keys(local.materialized_views), v.over)],
  )
}
