# The one reading of shared/contracts/topology.json for Terraform. Every other module derives its resources from these
# values, so a topic, subscription, schedule or secret is declared once, in the topology, and nowhere here.
#
# Access is part of each function's entry too: the warehouse tables it writes and reads, whether it runs BigQuery jobs,
# whether it writes the cold archive (and so reads and deletes in every partitioned table), whether it uses
# Firestore, the Cloud KMS keys it encrypts with ("encrypts") and, apart, those it decrypts with ("decrypts": only
# the compliance case tool, which shows officers the personal data). Encrypting never implies decrypting.
#
# So are the callers outside this system ("outsideCallers": the lending platform): the topics each publishes to and
# the HTTP API functions it invokes. The identities are an environment's (var.outside_callers: caller => service
# account e-mails); what they may do is written in the topology, never in a module.

locals {
  topology = jsondecode(file(var.topology_path))
  defaults = local.topology.subscriptionDefaults
  # Only what access needs, in one shape: tables in the generated file differ in optional attributes (description),
  # and a conditional needs both results to share a type.
  base_tables = var.tables_path == null ? {} : {
    for k, t in jsondecode(file(var.tables_path)).tables : k => {
      dataset         = t.dataset
      partition_field = try(t.partition_field, null)
    }
  }
  # Views are read like tables (a function that queries one is granted dataViewer on it), never partitioned here:
  # materialized views, rolling views and summary views (logical views grouped over one table).
  view_names = var.views_path == null ? [] : concat(
    keys(try(jsondecode(file(var.views_path)).materializedViews, {})),
    keys(try(jsondecode(file(var.views_path)).rollingViews, {})),
    keys(try(jsondecode(file(var.views_path)).summaryViews, {})),
  )
  view_tables = { for k in local.view_names : k => { dataset = split(".", k)[0], partition_field = null } }
  tables      = merge(local.base_tables, local.view_tables)

  # Materialized views (shared/contracts/warehouse-views.json): view key (dataset.table) => its source table. The
  # views module requires a view to live in the dataset of its source.
  materialized_views = var.views_path == null ? {} : {
    for k, v in try(jsondecode(file(var.views_path)).materializedViews, {}) : k => v.source
  }

  # The hot event tables: every time-partitioned table. Their partitions expire, so the archiving function reads
  # and deletes in all of them; a new partitioned table reaches its grants with no edit here.
  partitioned_tables = sort([for k, t in local.tables : k if try(t.partition_field, null) != null])
  archives = {
    for name, fn in local.topology.functions : name => try(fn.archive, false)
  }

  topics = {
    for name, t in local.topology.topics : name => {
      description = try(t.description, "")
      schema      = try(t.schema, null)
    }
  }

  functions = {
    for name, fn in local.topology.functions : name => {
      folder    = fn.folder
      trigger   = fn.trigger
      schedule  = try(fn.schedule, null)
      publishes = sort(distinct(try(fn.publishes, [])))
      secrets   = sort(distinct(try(fn.secrets, [])))
      # Secrets created at run time (one per webhook endpoint), readable by name prefix only.
      secret_prefixes = sort(distinct(try(fn.secretPrefixes, [])))
      memory          = try(fn.memory, "256Mi")
      timeout_seconds = try(fn.timeoutSeconds, 60)
      # Instances kept warm (and billed) at all times; an environment's min_instances setting overrides it.
      min_instances = try(fn.minInstances, 0)
      # Requests one instance serves at once (1 unless the function waits on I/O and keeps state worth sharing,
      # like checkRisk's in-memory policies, stops and prices); above 1 the instance gets a whole vCPU.
      concurrency = try(fn.concurrency, 1)
      public      = try(fn.public, false)
      # The setting in which an HTTP function checks its callers itself (e.g. RISK_CHECK_CALLERS): the functions
      # module renders it from every service account that holds run.invoker on the function, so both agree.
      callers_setting = try(fn.callersSetting, null)
      # The largest request body a public function accepts: the load balancer in front refuses anything larger
      # (modules/edge). Every public function must declare it; null elsewhere.
      max_body_bytes = try(fn.maxBodyBytes, null)
      consumes       = sort(distinct([for s in try(fn.subscriptions, []) : s.topic]))
      # Service account ids are 6-30 characters: fn-<folder>, cut to fit.
      service_account_id = trimsuffix(substr("fn-${fn.folder}", 0, 30), "-")
      # An archiving function exports and then deletes archived partitions: it writes every hot table.
      writes = sort(distinct(concat(
        try(fn.writes, []),
        local.archives[name] ? local.partitioned_tables : [],
      )))
      reads   = sort(distinct(try(fn.reads, [])))
      archive = local.archives[name]
      # Queries, DML, exports and view refreshes are jobs; streaming inserts are not. Archiving runs jobs.
      bigquery_jobs = try(fn.bigqueryJobs, false) || local.archives[name]
      # Every function keeps its idempotency records and state in Firestore unless its entry says otherwise.
      firestore = try(fn.firestore, true)
      # Cloud KMS keys (names of the kms module's keys) the function encrypts with; that alone never lets it decrypt.
      encrypts = sort(distinct(try(fn.encrypts, [])))
      # Cloud KMS keys the function decrypts with (reads personal data back): granted apart, key by key.
      decrypts = sort(distinct(try(fn.decrypts, [])))
      # Materialized views the function refreshes: a function that runs jobs and writes (in its own entry, not
      # through archiving) the source of a view refreshes it, as refreshMaterializedViews does.
      refreshes = sort([
        for v, source in local.materialized_views : v
        if(try(fn.bigqueryJobs, false) && contains(try(fn.writes, []), source))
      ])
    }
  }

  # Same reading as shared/topology/topology.ts: a subscription may override delivery attempts, backoff and ack
  # deadline; the dead-letter topic and retention always come from subscriptionDefaults.
  subscription_specs = merge([
    for fn_name, fn in local.topology.functions : {
      for s in try(fn.subscriptions, []) : s.name => {
        function                   = fn_name
        topic                      = s.topic
        dead_letter_topic          = local.defaults.deadLetterTopic
        max_delivery_attempts      = try(s.maxDeliveryAttempts, local.defaults.maxDeliveryAttempts)
        minimum_backoff            = try(s.minimumBackoff, local.defaults.minimumBackoff)
        maximum_backoff            = try(s.maximumBackoff, local.defaults.maximumBackoff)
        ack_deadline_seconds       = try(s.ackDeadlineSeconds, local.defaults.ackDeadlineSeconds)
        message_retention_duration = local.defaults.messageRetentionDuration
      }
    }
  ]...)

  # Kept apart from subscription_specs so that nothing but the subscriptions themselves waits for function URIs
  # (topics must not depend on the functions that publish to them).
  # The functions read the topic from the request path: <function uri>/projects/<project>/topics/<topic>.
  subscriptions = {
    for name, s in local.subscription_specs : name => merge(s, {
      push_endpoint = (
        contains(keys(var.function_uris), s.function)
        ? "${trimsuffix(var.function_uris[s.function], "/")}/projects/${var.project_id}/topics/${s.topic}"
        : null
      )
    })
  }

  dead_letter_topics = sort(distinct(concat(
    [local.defaults.deadLetterTopic],
    [for s in values(local.subscription_specs) : s.dead_letter_topic],
  )))

  secrets = sort(distinct(flatten([for f in values(local.functions) : f.secrets])))

  publisher_bindings = merge([
    for name, f in local.functions : { for t in f.publishes : "${name}/${t}" => { function = name, topic = t } }
  ]...)

  secret_bindings = merge([
    for name, f in local.functions : { for s in f.secrets : "${name}/${s}" => { function = name, secret = s } }
  ]...)

  secret_prefix_bindings = merge([
    for name, f in local.functions : { for p in f.secret_prefixes : "${name}/${p}" => { function = name, prefix = p } }
  ]...)

  # BigQuery data access is granted per TABLE: dataEditor on exactly the tables a function writes, dataViewer on
  # exactly those it only reads. Table keys are "dataset.table" as in the generated file. A dataset-level grant
  # would reach every other table of the dataset (compliance.kyc_events' writer could rewrite compliance.aml_alerts).
  table_bindings = merge([
    for name, f in local.functions : merge(
      {
        for t in f.reads : "${name}/${t}/reader" => {
          function = name
          table    = t
          dataset  = try(local.tables[t].dataset, split(".", t)[0])
          role     = "roles/bigquery.dataViewer"
        }
        if !contains(f.writes, t)
      },
      {
        for t in f.writes : "${name}/${t}/writer" => {
          function = name
          table    = t
          dataset  = try(local.tables[t].dataset, split(".", t)[0])
          role     = "roles/bigquery.dataEditor"
        }
      },
    )
  ]...)

  # Dataset-level grants remain only where a job needs rights on the dataset itself, each with its reason (the
  # Terraform tests hold the allow-list):
  # - archiving (archive: true): the partitions to export are listed from <dataset>.INFORMATION_SCHEMA.PARTITIONS,
  #   which needs bigquery.tables.list on the dataset. metadataViewer gives that and table metadata, no row data;
  #   the export, the row counts and the DELETE run on the tables under the per-table dataEditor above, and the
  #   archive check queries a temporary external table over Cloud Storage (no dataset).
  # - refreshing a materialized view (CALL BQ.REFRESH_MATERIALIZED_VIEW): BigQuery updates the view's stored data
  #   with the caller's rights on the view's dataset (the dataset of its source), so dataEditor on that dataset.
  dataset_bindings = merge(
    merge([
      for name, f in local.functions : {
        for ds in distinct([for t in local.partitioned_tables : local.tables[t].dataset]) : "${name}/${ds}/archive-metadata" => {
          function = name
          dataset  = ds
          role     = "roles/bigquery.metadataViewer"
          reason   = "lists partitions to archive in ${ds}.INFORMATION_SCHEMA.PARTITIONS (bigquery.tables.list on the dataset)"
        }
      }
      if f.archive
    ]...),
    merge([
      for name, f in local.functions : {
        for ds in distinct([for v in f.refreshes : split(".", v)[0]]) : "${name}/${ds}/refresh" => {
          function = name
          dataset  = ds
          role     = "roles/bigquery.dataEditor"
          reason   = "refreshes materialized views of ${ds} (${join(", ", [for v in f.refreshes : v if split(".", v)[0] == ds])}) with its rights on their dataset"
        }
      }
    ]...),
  )

  kms_bindings = merge([
    for name, f in local.functions : { for k in f.encrypts : "${name}/${k}" => { function = name, key = k } }
  ]...)
  kms_decrypt_bindings = merge([
    for name, f in local.functions : { for k in f.decrypts : "${name}/${k}" => { function = name, key = k } }
  ]...)

  # Internet-facing functions: served only through the HTTPS load balancer and its Cloud Armor policy (modules/edge).
  public_functions = {
    for name, f in local.functions : name => { folder = f.folder, max_body_bytes = f.max_body_bytes } if f.public
  }
  public_problems = sort(concat(
    [for name, f in local.functions : "${name} is not an HTTP function" if f.public && f.trigger != "http"],
    [for name, f in local.functions : "${name} declares no maxBodyBytes (a positive whole number)" if f.public && !try(f.max_body_bytes >= 1 && floor(f.max_body_bytes) == f.max_body_bytes, false)],
  ))

  # Callers outside this system (the lending platform) and what each may do: publish to the topics under
  # "publishes", call the HTTP API functions under "invokes".
  outside_callers = {
    for name, c in try(local.topology.outsideCallers, {}) : name => {
      publishes = sort(distinct(try(c.publishes, [])))
      invokes   = sort(distinct(try(c.invokes, [])))
    }
  }
  # HTTP APIs: neither public, pushed to nor scheduled (what the functions module lets api_invokers call).
  api_functions = [
    for name, f in local.functions : name
    if f.trigger == "http" && !f.public && length(f.consumes) == 0 && f.schedule == null
  ]
  # One grant per topic (or function) and service account, keyed as the functions module keys api_invokers'
  # ("<function>/<member>"), so a member granted both ways is one binding.
  outside_publisher_bindings = merge(flatten([
    for caller, c in local.outside_callers : [
      for t in c.publishes : {
        for e in lookup(var.outside_callers, caller, []) : "${t}/serviceAccount:${e}" => { topic = t, member = "serviceAccount:${e}" }
      }
    ]
  ])...)
  outside_invoker_bindings = merge(flatten([
    for caller, c in local.outside_callers : [
      for f in c.invokes : {
        for e in lookup(var.outside_callers, caller, []) : "${f}/serviceAccount:${e}" => { function = f, member = "serviceAccount:${e}" }
      }
    ]
  ])...)
  outside_caller_problems = sort(concat(
    flatten([for caller, c in local.outside_callers : [for t in c.publishes : "${caller} publishes ${t}, which is not a declared topic" if !contains(keys(local.topics), t)]]),
    flatten([for caller, c in local.outside_callers : [for f in c.invokes : "${caller} invokes ${f}, which is not a topology function" if !contains(keys(local.functions), f)]]),
    flatten([for caller, c in local.outside_callers : [for f in c.invokes : "${caller} invokes ${f}, which is not an HTTP API function (HTTP, not public, not pushed to, not scheduled)" if contains(keys(local.functions), f) && !contains(local.api_functions, f)]]),
    [for name, f in local.functions : "${name}: callersSetting ${f.callers_setting} is not an environment variable name" if f.callers_setting != null && !can(regex("^[A-Z][A-Z0-9_]*$", f.callers_setting))],
    [for name, f in local.functions : "${name} declares callersSetting but is not an HTTP API function" if f.callers_setting != null && !contains(local.api_functions, name)],
    [for caller in keys(var.outside_callers) : "outside_callers names ${caller}, which the topology does not declare under outsideCallers" if !contains(keys(local.outside_callers), caller)],
  ))

  bigquery_job_functions = sort([for name, f in local.functions : name if f.bigquery_jobs])
  firestore_functions    = sort([for name, f in local.functions : name if f.firestore])
  archive_functions      = sort([for name, f in local.functions : name if f.archive])
  scheduled              = { for name, f in local.functions : name => f.schedule if f.schedule != null }

  unknown_tables = sort(distinct(flatten([
    for name, f in local.functions : [for t in concat(f.reads, f.writes) : "${name}: ${t}" if var.tables_path != null && !contains(keys(local.tables), t)]
  ])))
  unknown_topics = sort(distinct(concat(
    flatten([for name, f in local.functions : [for t in f.publishes : "${name} publishes ${t}" if !contains(keys(local.topics), t)]]),
    [for n, s in local.subscription_specs : "${n} consumes ${s.topic}" if !contains(keys(local.topics), s.topic)],
    [for n, s in local.subscription_specs : "${n} dead-letters to ${s.dead_letter_topic}" if !contains(keys(local.topics), s.dead_letter_topic)],
  )))
  invalid_folders = sort([for name, f in local.functions : "${name}: ${f.folder}" if !can(regex("^[a-z][a-z0-9-]{0,61}[a-z0-9]$", f.folder))])
}
