// String tables of the dashboard, Spanish and English. t(key, vars)
// returns the current language's string with {name} placeholders filled.

const strings = {
  es: {
    'app.title': 'Trazo — panel',
    'app.skip': 'Ir al contenido',
    'lang.label': 'Idioma',
    'who.signedIn': 'Sesión: {sub} · rol {role} · organización {org}',
    'who.expires': 'el token vence el {date}',
    'signout': 'Cerrar sesión',
    'signin.title': 'Iniciar sesión',
    'signin.help': 'Pegue un token de la API (JWT). Se guarda solo en el almacenamiento de esta pestaña y se borra al cerrarla.',
    'signin.token': 'Token',
    'signin.submit': 'Entrar',
    'signin.demo': 'Tokens de demostración',
    'signin.demoHelp': 'El servidor corre con --demo: elija un rol.',
    'signin.useDemo': 'Entrar como {role}',
    'signin.malformed': 'Esto no es un token JWT (tres partes separadas por puntos).',
    'signin.refused': 'El servidor rechazó el token: {message}',
    'role.employer': 'empleador', 'role.border': 'puesto fronterizo', 'role.inspector': 'inspección', 'role.ministry': 'ministerio',
    'border.none': 'El panel no tiene vista para puestos fronterizos; use la API o la aplicación del puesto.',
    'common.load': 'Cargar', 'common.loading': 'Cargando…', 'common.table': 'Tabla de datos', 'common.csv': 'Descargar CSV',
    'common.yes': 'sí', 'common.no': 'no', 'common.none': 'ninguno', 'common.error': 'Error: {message}',
    'common.from': 'Desde', 'common.to': 'Hasta',
    'ministry.title': 'Movilidad laboral circular',
    'ministry.minCell': 'Celda mínima (supresión)',
    'ministry.suppressedNote': '* celda suprimida: menos de {n} casos (no se publica).',
    'ministry.monthly': 'Entradas, salidas y trabajadores activos por mes',
    'ministry.returnsBy': 'Retornos circulares, retornos y sobreestadías por {dim}',
    'ministry.sectorRegion': 'Trabajadores y colocaciones por {dim}',
    'ministry.totals': 'Totales del período',
    'dim.month': 'mes', 'dim.nationality': 'nacionalidad', 'dim.sex': 'sexo', 'dim.age_band': 'grupo de edad', 'dim.sector': 'sector', 'dim.region': 'región',
    'm.workers': 'Trabajadores activos', 'm.entries': 'Entradas', 'm.exits': 'Salidas', 'm.placements_started': 'Colocaciones iniciadas', 'm.placements_ended': 'Colocaciones terminadas',
    'm.circular_returns': 'Retornos circulares', 'm.returning_workers': 'Trabajadores que regresan', 'm.same_employer_returns': 'Regresan al mismo empleador', 'm.overstays': 'Sobreestadías', 'm.mean_stay_days': 'Estadía media (días)',
    'inspector.title': 'Historial de un trabajador',
    'inspector.worker': 'Id del trabajador', 'inspector.purpose': 'Motivo de la consulta (p. ej. número de caso)', 'inspector.purposeHelp': 'Se registra en el libro junto con su consulta.',
    'inspector.read': 'Leer historial', 'inspector.examples': 'Ejemplos de la demostración',
    'inspector.required': 'Este campo es obligatorio.',
    'inspector.checkpoint': 'Punto de control firmado: tamaño {size}, raíz {root}',
    'inspector.sigOk': 'Firma Ed25519 del punto de control verificada en el navegador con la clave {key}.',
    'inspector.sigServer': 'Este navegador no verifica Ed25519: la firma del punto de control la verificó el servidor.',
    'inspector.sigBad': 'La firma del punto de control NO es válida.',
    'inspector.summary': '{ok} de {n} entradas verificadas en el navegador.',
    'inspector.verified': 'verificada', 'inspector.failed': 'falló',
    'inspector.verifiedTitle': 'Hash de la hoja y prueba de inclusión RFC 6962 recalculados con SHA-256 (WebCrypto) hasta la raíz firmada.',
    'inspector.failedTitle': 'La hoja o su prueba no llevan a la raíz firmada.',
    'inspector.findings': 'Hallazgos', 'inspector.noFindings': 'Sin hallazgos para este trabajador.',
    'inspector.entry': 'Entrada {index}', 'inspector.entries': 'entradas {list}', 'inspector.by': 'por {role} {org}',
    'employer.title': 'Mis trabajadores', 'employer.none': 'Aún no tiene trabajadores registrados ni colocados.',
    'employer.worker': 'Trabajador', 'employer.present': 'Presente', 'employer.permits': 'Permisos', 'employer.placements': 'Colocaciones activas',
    'employer.presentSince': 'en el país desde {date}', 'employer.absentSince': 'fuera desde {date}', 'employer.never': 'sin movimientos',
    'employer.validToday': 'vigente hoy', 'employer.notValid': 'no vigente', 'employer.revoked': 'revocado',
    'employer.more': 'Más trabajadores',
    'employer.start': 'Iniciar una colocación', 'employer.startSubmit': 'Iniciar colocación',
    'employer.started': 'Colocación {id} iniciada (entrada {index} del libro).',
    'employer.end': 'Terminar', 'employer.endSubmit': 'Terminar colocación', 'employer.ended': 'Colocación terminada (entrada {index} del libro).',
    'f.worker_id': 'Id del trabajador', 'f.start_date': 'Fecha de inicio', 'f.expected_end_date': 'Fecha prevista de fin',
    'f.occupation': 'Ocupación (CIUO-08, 4 dígitos)', 'f.sector': 'Sector (CIIU Rev.4: letra o 4 dígitos)', 'f.region': 'Región (ISO 3166-2, p. ej. CR-A)',
    'f.end_date': 'Fecha de fin', 'f.reason': 'Motivo',
    'v.required': 'Obligatorio.', 'v.date': 'Use una fecha AAAA-MM-DD.', 'v.endBeforeStart': 'No puede ser anterior a la fecha de inicio.',
    'v.occupation': 'Cuatro dígitos CIUO-08.', 'v.sector': 'Una letra A–U o cuatro dígitos.', 'v.region': 'Un código como CR-A.',
    'reason.completed': 'completada', 'reason.resigned': 'renuncia', 'reason.dismissed': 'despido', 'reason.abandoned': 'abandono', 'reason.no_show': 'no se presentó', 'reason.transferred': 'traslado', 'reason.other': 'otro',
    'err.required': 'Obligatorio.', 'err.invalid_region': 'No es una región ISO 3166-2 de este país.', 'err.invalid_occupation': 'No es un grupo primario de la CIUO-08.',
    'err.invalid_sector': 'No es una sección (A–U) ni una clase de 4 dígitos de la CIIU Rev.4.', 'err.invalid_date': 'No es una fecha AAAA-MM-DD válida.',
    'err.invalid_period': 'La fecha de fin es anterior a la de inicio.', 'err.invalid_end_reason': 'Motivo de fin desconocido.',
    'err.no_valid_permit': 'El trabajador no tiene un permiso vigente en esa fecha.', 'err.employer_suspended': 'El empleador está suspendido: no puede iniciar colocaciones.',
    'err.not_found': 'No encontrado.', 'err.placement_ended': 'La colocación ya terminó.', 'err.purpose_required': 'Indique el motivo de la consulta.',
    'type.employer.registered': 'Empleador registrado', 'type.employer.suspended': 'Empleador suspendido', 'type.worker.registered': 'Trabajador registrado',
    'type.permit.issued': 'Permiso emitido', 'type.permit.revoked': 'Permiso revocado', 'type.crossing.recorded': 'Cruce de frontera',
    'type.placement.started': 'Colocación iniciada', 'type.placement.ended': 'Colocación terminada', 'type.entry.corrected': 'Corrección',
    'type.worker.erased': 'Datos personales borrados', 'type.access.recorded': 'Consulta registrada',
    'finding.overstay': 'Sobreestadía', 'finding.late_exit': 'Salida tardía', 'finding.placement_without_permit': 'Colocación sin permiso',
    'finding.placement_while_absent': 'Colocación estando fuera del país', 'finding.minor_in_placement': 'Menor de edad colocado',
    'finding.no_placement_after_entry': 'Sin colocación tras la entrada', 'finding.entry_while_present': 'Entrada estando presente', 'finding.exit_without_entry': 'Salida sin entrada',
  },
  en: {
    'app.title': 'Trazo — dashboard',
    'app.skip': 'Skip to content',
    'lang.label': 'Language',
    'who.signedIn': 'Signed in: {sub} · role {role} · organisation {org}',
    'who.expires': 'token expires {date}',
    'signout': 'Sign out',
    'signin.title': 'Sign in',
    'signin.help': 'Paste an API token (JWT). It is kept in this tab\'s session storage only and is gone when the tab closes.',
    'signin.token': 'Token',
    'signin.submit': 'Sign in',
    'signin.demo': 'Demo tokens',
    'signin.demoHelp': 'The server runs with --demo: pick a role.',
    'signin.useDemo': 'Sign in as {role}',
    'signin.malformed': 'This is not a JWT (three parts separated by dots).',
    'signin.refused': 'The server refused the token: {message}',
    'role.employer': 'employer', 'role.border': 'border post', 'role.inspector': 'inspector', 'role.ministry': 'ministry',
    'border.none': 'The dashboard has no view for border posts; use the API or the post\'s application.',
    'common.load': 'Load', 'common.loading': 'Loading…', 'common.table': 'Data table', 'common.csv': 'Download CSV',
    'common.yes': 'yes', 'common.no': 'no', 'common.none': 'none', 'common.error': 'Error: {message}',
    'common.from': 'From', 'common.to': 'To',
    'ministry.title': 'Circular labour mobility',
    'ministry.minCell': 'Minimum cell (suppression)',
    'ministry.suppressedNote': '* suppressed cell: fewer than {n} cases (not published).',
    'ministry.monthly': 'Entries, exits and active workers by month',
    'ministry.returnsBy': 'Circular returns, returns and overstays by {dim}',
    'ministry.sectorRegion': 'Workers and placements by {dim}',
    'ministry.totals': 'Totals of the period',
    'dim.month': 'month', 'dim.nationality': 'nationality', 'dim.sex': 'sex', 'dim.age_band': 'age band', 'dim.sector': 'sector', 'dim.region': 'region',
    'm.workers': 'Active workers', 'm.entries': 'Entries', 'm.exits': 'Exits', 'm.placements_started': 'Placements started', 'm.placements_ended': 'Placements ended',
    'm.circular_returns': 'Circular returns', 'm.returning_workers': 'Returning workers', 'm.same_employer_returns': 'Same-employer returns', 'm.overstays': 'Overstays', 'm.mean_stay_days': 'Mean stay (days)',
    'inspector.title': 'A worker\'s history',
    'inspector.worker': 'Worker id', 'inspector.purpose': 'Purpose of the read (e.g. a case number)', 'inspector.purposeHelp': 'It is recorded in the log with your read.',
    'inspector.read': 'Read history', 'inspector.examples': 'Demo examples',
    'inspector.required': 'This field is required.',
    'inspector.checkpoint': 'Signed checkpoint: size {size}, root {root}',
    'inspector.sigOk': 'The checkpoint\'s Ed25519 signature was verified in the browser with key {key}.',
    'inspector.sigServer': 'This browser cannot verify Ed25519: the checkpoint\'s signature was checked by the server.',
    'inspector.sigBad': 'The checkpoint\'s signature is NOT valid.',
    'inspector.summary': '{ok} of {n} entries verified in the browser.',
    'inspector.verified': 'verified', 'inspector.failed': 'failed',
    'inspector.verifiedTitle': 'Leaf hash and RFC 6962 inclusion proof recomputed with SHA-256 (WebCrypto) up to the signed root.',
    'inspector.failedTitle': 'The leaf or its proof does not lead to the signed root.',
    'inspector.findings': 'Findings', 'inspector.noFindings': 'No findings for this worker.',
    'inspector.entry': 'Entry {index}', 'inspector.entries': 'entries {list}', 'inspector.by': 'by {role} {org}',
    'employer.title': 'My workers', 'employer.none': 'You have not registered or placed any worker yet.',
    'employer.worker': 'Worker', 'employer.present': 'Present', 'employer.permits': 'Permits', 'employer.placements': 'Active placements',
    'employer.presentSince': 'in the country since {date}', 'employer.absentSince': 'out since {date}', 'employer.never': 'no crossings',
    'employer.validToday': 'valid today', 'employer.notValid': 'not valid', 'employer.revoked': 'revoked',
    'employer.more': 'More workers',
    'employer.start': 'Start a placement', 'employer.startSubmit': 'Start placement',
    'employer.started': 'Placement {id} started (log entry {index}).',
    'employer.end': 'End', 'employer.endSubmit': 'End placement', 'employer.ended': 'Placement ended (log entry {index}).',
    'f.worker_id': 'Worker id', 'f.start_date': 'Start date', 'f.expected_end_date': 'Expected end date',
    'f.occupation': 'Occupation (ISCO-08, 4 digits)', 'f.sector': 'Sector (ISIC Rev.4: a letter or 4 digits)', 'f.region': 'Region (ISO 3166-2, e.g. CR-A)',
    'f.end_date': 'End date', 'f.reason': 'Reason',
    'v.required': 'Required.', 'v.date': 'Use a YYYY-MM-DD date.', 'v.endBeforeStart': 'Must not be before the start date.',
    'v.occupation': 'Four ISCO-08 digits.', 'v.sector': 'A letter A–U or four digits.', 'v.region': 'A code such as CR-A.',
    'reason.completed': 'completed', 'reason.resigned': 'resigned', 'reason.dismissed': 'dismissed', 'reason.abandoned': 'abandoned', 'reason.no_show': 'no show', 'reason.transferred': 'transferred', 'reason.other': 'other',
    'err.required': 'Required.', 'err.invalid_region': 'Not an ISO 3166-2 region of this country.', 'err.invalid_occupation': 'Not an ISCO-08 unit group.',
    'err.invalid_sector': 'Not an ISIC Rev.4 section (A–U) or 4-digit class.', 'err.invalid_date': 'Not a valid YYYY-MM-DD date.',
    'err.invalid_period': 'The end date is before the start date.', 'err.invalid_end_reason': 'Unknown end reason.',
    'err.no_valid_permit': 'The worker holds no permit valid on that date.', 'err.employer_suspended': 'The employer is suspended: it can start no placement.',
    'err.not_found': 'Not found.', 'err.placement_ended': 'The placement has already ended.', 'err.purpose_required': 'Give the purpose of the read.',
    'type.employer.registered': 'Employer registered', 'type.employer.suspended': 'Employer suspended', 'type.worker.registered': 'Worker registered',
    'type.permit.issued': 'Permit issued', 'type.permit.revoked': 'Permit revoked', 'type.crossing.recorded': 'Border crossing',
    'type.placement.started': 'Placement started', 'type.placement.ended': 'Placement ended', 'type.entry.corrected': 'Correction',
    'type.worker.erased': 'Personal data erased', 'type.access.recorded': 'Read recorded',
    'finding.overstay': 'Overstay', 'finding.late_exit': 'Late exit', 'finding.placement_without_permit': 'Placement without permit',
    'finding.placement_while_absent': 'Placement while absent', 'finding.minor_in_placement': 'Minor in placement',
    'finding.no_placement_after_entry': 'No placement after entry', 'finding.entry_while_present': 'Entry while present', 'finding.exit_without_entry': 'Exit without entry',
  },
};

export const languages = ['es', 'en'];
let lang = 'es';

// setLanguage switches the language (unknown codes fall back to Spanish)
// and updates the document's lang attribute and static texts.
export function setLanguage(code) {
  lang = languages.includes(code) ? code : 'es';
  document.documentElement.lang = lang;
  document.title = t('app.title');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  return lang;
}

export function language() { return lang; }

// errorText returns the message to show for a refusal of the API: in
// English the server's own message (it names the values at fault), in
// Spanish the translation of its code where there is one.
export function errorText(err) {
  const key = 'err.' + (err.code || '');
  if (lang === 'en' || !(key in strings[lang])) return err.message;
  return strings[lang][key];
}

// t returns the string for key in the current language, {name}
// placeholders replaced from vars; an unknown key returns the key itself.
export function t(key, vars = {}) {
  const s = strings[lang][key] ?? strings.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

// missingKeys returns the keys that one language has and another lacks,
// as "lang:key" (the browser test expects none).
export function missingKeys() {
  const out = [];
  for (const a of languages) for (const b of languages) for (const k of Object.keys(strings[a])) if (!(k in strings[b])) out.push(`${b}:${k}`);
  return out;
}
