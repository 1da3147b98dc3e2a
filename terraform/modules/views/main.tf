# The warehouse views for Terraform: materialized views, rolling views over them and summary views (logical grouped
# views over one table). Their BigQuery SQL is rendered once, by shared/contracts/warehouse-views.ts,
# into terraform/generated/bigquery-views.json (`npm run gen`); this module deploys that rendering as is, with the
# project substituted, and renders no SQL itself. It still reads the declarations
# (shared/contracts/warehouse-views.json) to refuse at plan what BigQuery could not maintain incrementally, columns
# the generated tables lack, and a generated file that no longer renders the declared views.

locals {
  definitions = jsondecode(file(var.views_path))
  tables      = jsondecode(file(var.tables_path)).tables
  generated   = jsondecode(file(var.generated_views_path))

  # Columns of the source each declared view reads, for a check against the generated schema.
  source_columns = {
    for name, v in local.definitions.materializedViews : name => distinct(concat(
      v.groupBy,
      [v.bucket.column],
      flatten([for m in v.measures : [for c in [try(m.column, null), try(m.by, null)] : c if c != null]]),
    ))
  }

  materialized_views = {
    for name, g in local.generated.materialized_views : name => {
      dataset        = g.dataset
      table          = g.table
      description    = g.description
      source         = g.source
      partition      = g.partition
      cluster        = g.cluster
      source_columns = try(local.source_columns[name], [])
      query          = replace(g.query, local.generated.project_placeholder, var.project_id)
      bucket_hours   = g.bucket_hours
    }
  }

  rolling_views = {
    for name, g in local.generated.rolling_views : name => {
      dataset      = g.dataset
      table        = g.table
      description  = g.description
      over         = g.over
      window_hours = g.window_hours
      query        = replace(g.query, local.generated.project_placeholder, var.project_id)
    }
  }

  # Summary views: logical views grouped over one table (computed at query time, so not bound by the incremental
  # rules). The code checks their columns and literals when it loads them; here they are checked against the
  # generated tables as well.
  summary_definitions = try(local.definitions.summaryViews, {})
  summary_views = {
    for name, g in try(local.generated.summary_views, {}) : name => {
      dataset     = g.dataset
      table       = g.table
      description = g.description
      source      = g.source
      query       = replace(g.query, local.generated.project_placeholder, var.project_id)
    }
  }
  summary_columns = {
    for name, v in local.summary_definitions : name => distinct(concat(
      v.groupBy,
      flatten([for m in v.measures : concat(
        [for c in [try(m.column, null), try(m.by, null)] : c if c != null],
        [for w in try(m.where, []) : w.column],
      )]),
    ))
  }

  # Rendered views that differ from the declared ones: `npm run gen` was not run after the declarations changed.
  stale = concat(
    [for n in setsubtract(keys(local.definitions.materializedViews), keys(local.materialized_views)) : "${n} is not rendered"],
    [for n in setsubtract(keys(local.materialized_views), keys(local.definitions.materializedViews)) : "${n} is not declared"],
    [for n in setsubtract(keys(local.definitions.rollingViews), keys(local.rolling_views)) : "${n} is not rendered"],
    [for n in setsubtract(keys(local.rolling_views), keys(local.definitions.rollingViews)) : "${n} is not declared"],
    [for n, v in local.definitions.materializedViews : "${n} is rendered from another source" if try(local.materialized_views[n].source, v.source) != v.source],
    [for n, v in local.definitions.rollingViews : "${n} is rendered over another view" if try(local.rolling_views[n].over, v.over) != v.over],
    [for n in setsubtract(keys(local.summary_definitions), keys(local.summary_views)) : "${n} is not rendered"],
    [for n in setsubtract(keys(local.summary_views), keys(local.summary_definitions)) : "${n} is not declared"],
    [for n, v in local.summary_definitions : "${n} is rendered from another source" if try(local.summary_views[n].source, v.source) != v.source],
  )

  problems = concat(
    [for n, v in local.definitions.materializedViews : "${n}: source ${v.source} is not a generated table" if !contains(keys(local.tables), v.source)],
    [for n, v in local.definitions.materializedViews : "${n}: must live in the dataset of its source ${v.source}" if split(".", n)[0] != split(".", v.source)[0]],
    flatten([for n, v in local.definitions.materializedViews : [
      for c in local.source_columns[n] : "${n}: reads ${c}, not a column of ${v.source}"
      if !contains([for col in try(local.tables[v.source].schema, []) : col.name], c)
    ]]),
    [for n, v in local.definitions.materializedViews : "${n}: bucket ${v.bucket.column} must be the partitioning column of ${v.source}" if try(local.tables[v.source].partition_field, "") != v.bucket.column],
    [for n, v in local.definitions.materializedViews : "${n}: partitions on ${v.partition.field}, which is not its bucket ${v.bucket.as}" if v.partition.field != v.bucket.as],
    [for n, v in local.definitions.materializedViews : "${n}: bucket unit must be HOUR or DAY" if !contains(["HOUR", "DAY"], v.bucket.unit)],
    flatten([for n, v in local.definitions.materializedViews : [
      for m in v.measures : "${n}.${m.as}: ${m.fn} is not an incremental aggregate"
      if !contains(["COUNT", "MIN", "MAX", "AVG", "SUM", "MAX_BY", "MIN_BY"], m.fn)
    ]]),
    [for n, v in local.definitions.rollingViews : "${n}: over ${v.over}, which is not a materialized view here" if !contains(keys(local.definitions.materializedViews), v.over)],
    [for n, v in local.summary_definitions : "${n}: source ${v.source} is not a generated table" if !contains(keys(local.tables), v.source)],
    [for n, v in local.summary_definitions : "${n}: must live in the dataset of its source ${v.source}" if split(".", n)[0] != split(".", v.source)[0]],
    flatten([for n, v in local.summary_definitions : [
      for c in local.summary_columns[n] : "${n}: reads ${c}, not a column of ${v.source}"
      if !contains([for col in try(local.tables[v.source].schema, []) : col.name], c)
    ]]),
    length(local.stale) == 0 ? [] : ["terraform/generated/bigquery-views.json is out of date (${join("; ", local.stale)}): run `npm run gen`"],
  )
}
