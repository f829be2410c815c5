// Package macro resolves Spectro Cloud Palette's cluster-profile macros
// offline, the way Palette does at deployment.
//
// A macro is a {{ ... }} expression in a pack's values whose first operand is
// a .spectro. reference:
//
//	{{ .spectro.system.cluster.name }}                     system macro
//	{{ .spectro.pack.edge-native-byoi.options.system.uri }} value of a pack in the profile
//	{{ .spectro.macro.region }}                            user macro (project > tenant > system scope)
//	{{ .spectro.var.clusterSize }}                         cluster profile variable
//
// A reference may be followed by a pipeline of Sprig functions
// ({{ .spectro.system.user.name | upper | trunc 8 }}); profile variables do not
// take functions. Pack names may contain hyphens, which Go's text/template
// cannot parse, so references are parsed here and only the pipeline is
// evaluated with text/template and Sprig. Paths into pack values may cross
// flat dotted keys (options: {system.uri: ...} is read as options.system.uri).
//
// Resolution follows Palette: an unresolved reference renders as the empty
// string (so | default "x" applies) and is reported; a pack value that holds
// macros itself is resolved recursively, with cycles and runaway depth
// reported instead of followed. Text outside the macros, and {{ }} expressions
// that are not .spectro. references (Helm's {{ .Values.x }}), are kept byte
// for byte.
//
// Functions that read the machine or the network (env, expandenv,
// getHostByName) or generate keys, certificates, password hashes and
// ciphertexts (genPrivateKey, genCA, bcrypt, derivePassword, encryptAES, ...:
// see RemovedFunctions) are not available, and functions that can build large
// outputs from small inputs (repeat, until, untilStep, seq, indent, nindent,
// replace, wrapWith, regexReplaceAll*, rand*) refuse to produce more than
// MaxOutput bytes. A pipeline calls at most MaxFunctions functions, and a
// Budget in the Context bounds the work and time of all the Resolve calls
// made with it.
//
// Secrets stay where they are written: a reference to a value that
// Context.Secret marks is refused (CodeSecretRef), and text that reads a
// sensitive profile variable is marked Result.Secret, so that callers treat
// what was computed from it as a secret too.
package macro
