package macro

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

// MaxOutput is the most bytes a function in a pipeline may produce, and the
// most bytes of macro values one Resolve call inserts in all (values inserted
// inside referenced pack values count too).
const MaxOutput = 2 << 20

// maxList is the longest list until, untilStep and seq may build.
const maxList = 100_000

var errTooBig = fmt.Errorf("the result would be larger than %d bytes", MaxOutput)

// removedFuncs are Sprig's functions that pack values cannot call: those
// that read the machine or the network, and the key, certificate, password
// hash and encryption factories, which take up to seconds of CPU a call.
// Palette's values are configuration, not a key factory.
const removedFuncs = "env expandenv getHostByName derivePassword bcrypt htpasswd " +
	"genPrivateKey genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey " +
	"genSignedCert genSignedCertWithKey buildCustomCert encryptAES decryptAES"

// RemovedFunctions lists, in a new slice, the Sprig functions that macros
// cannot call.
func RemovedFunctions() []string { return strings.Fields(removedFuncs) }

// funcMap is Sprig's text function map without removedFuncs, and with bounds
// on the functions that amplify their input.
func funcMap() template.FuncMap {
	fm := sprig.TxtFuncMap()
	for name := range strings.FieldsSeq(removedFuncs) {
		delete(fm, name)
	}

	fm["repeat"] = func(count int, str string) (string, error) {
		if count > 0 && len(str) > 0 && count > MaxOutput/len(str) {
			return "", errTooBig
		}
		if count < 0 {
			count = 0
		}
		return strings.Repeat(str, count), nil
	}
	fm["until"] = func(count int) ([]int, error) {
		step := 1
		if count < 0 {
			step = -1
		}
		return boundedUntil(0, count, step)
	}
	fm["untilStep"] = boundedUntil
	seq := fm["seq"].(func(...int) string)
	fm["seq"] = func(params ...int) (string, error) {
		var start, end, step int
		switch len(params) {
		case 1:
			start, end, step = 1, params[0], 1
		case 2:
			start, end, step = params[0], params[1], 1
		case 3:
			start, end, step = params[0], params[2], params[1]
		default:
			return seq(params...), nil
		}
		if step < 0 {
			step = -step
		}
		if span(start, end, step) > maxList {
			return "", fmt.Errorf("seq would list more than %d numbers", maxList)
		}
		return seq(params...), nil
	}
	for _, name := range []string{"randAlphaNum", "randAlpha", "randAscii", "randNumeric"} {
		f := fm[name].(func(int) string)
		fm[name] = func(count int) (string, error) {
			if count > MaxOutput {
				return "", errTooBig
			}
			return f(count), nil
		}
	}
	randBytes := fm["randBytes"].(func(int) (string, error))
	fm["randBytes"] = func(count int) (string, error) {
		if count > MaxOutput/2 {
			return "", errTooBig
		}
		return randBytes(count)
	}
	indent := func(spaces int, v string) (string, error) {
		if spaces < 0 {
			spaces = 0
		}
		lines := strings.Count(v, "\n") + 1
		if spaces > MaxOutput || lines*spaces > MaxOutput-len(v) {
			return "", errTooBig
		}
		pad := strings.Repeat(" ", spaces)
		return pad + strings.ReplaceAll(v, "\n", "\n"+pad), nil
	}
	fm["indent"] = indent
	fm["nindent"] = func(spaces int, v string) (string, error) {
		s, err := indent(spaces, v)
		return "\n" + s, err
	}
	fm["replace"] = func(old, repl, src string) (string, error) {
		n := 0
		if old == "" {
			n = len(src) + 1 // at most: once per rune, plus once
		} else {
			n = strings.Count(src, old)
		}
		if len(repl) > len(old) && n > 0 && (len(repl)-len(old)) > (MaxOutput-len(src))/n {
			return "", errTooBig
		}
		return strings.ReplaceAll(src, old, repl), nil
	}
	wrapWith := fm["wrapWith"].(func(int, string, string) string)
	fm["wrapWith"] = func(l int, sep, str string) (string, error) {
		if l < 1 {
			l = 1
		}
		if len(sep) > 0 && len(str)/l+1 > (MaxOutput-len(str))/len(sep) {
			return "", errTooBig
		}
		return wrapWith(l, sep, str), nil
	}
	fm["regexReplaceAll"] = func(re, s, repl string) (string, error) { return regexReplace(re, s, repl, false) }
	fm["mustRegexReplaceAll"] = fm["regexReplaceAll"]
	fm["regexReplaceAllLiteral"] = func(re, s, repl string) (string, error) { return regexReplace(re, s, repl, true) }
	fm["mustRegexReplaceAllLiteral"] = fm["regexReplaceAllLiteral"]
	for name, fn := range fm {
		fm[name] = bounded(fn)
	}
	return fm
}

// bounded wraps a function so that a string it returns longer than
// MaxOutput fails the pipeline (text/template turns the panic into the
// call's error): no step of a pipeline holds more than MaxOutput bytes,
// whatever the functions in it (b64enc grows its input by a third, and
// sixteen of them in a row would grow it a hundredfold).
func bounded(fn any) any {
	v := reflect.ValueOf(fn)
	t := v.Type()
	if t.Kind() != reflect.Func || t.NumOut() == 0 || t.Out(0).Kind() != reflect.String {
		return fn
	}
	return reflect.MakeFunc(t, func(args []reflect.Value) []reflect.Value {
		var out []reflect.Value
		if t.IsVariadic() {
			out = v.CallSlice(args)
		} else {
			out = v.Call(args)
		}
		if out[0].Len() > MaxOutput {
			panic(errTooBig)
		}
		return out
	}).Interface()
}

// span counts the numbers from start towards end (exclusive) by step > 0,
// at most maxList+1.
func span(start, end, step int) int {
	if step <= 0 {
		return 0
	}
	d := uint64(end) - uint64(start)
	if end < start {
		d = uint64(start) - uint64(end)
	}
	return int(min(d/uint64(step), maxList+1))
}

// boundedUntil is Sprig's untilStep without integer overflow and with at most
// maxList items.
func boundedUntil(start, stop, step int) ([]int, error) {
	v := []int{}
	if step == 0 || (stop < start && step > 0) || (stop > start && step < 0) {
		return v, nil
	}
	s := step
	if s < 0 {
		s = -s
	}
	if span(start, stop, s) > maxList {
		return nil, fmt.Errorf("the list would have more than %d items", maxList)
	}
	for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
		v = append(v, i)
		if (step > 0 && i > stop-step) || (step < 0 && i < stop-step) {
			break // the next step would pass stop (or overflow)
		}
	}
	return v, nil
}

// regexReplace is regexp's ReplaceAllString (or ReplaceAllLiteralString) that
// gives up once the result would pass MaxOutput.
func regexReplace(expr, s, repl string, literal bool) (string, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return "", err
	}
	var b []byte
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		b = append(b, s[last:m[0]]...)
		if literal {
			b = append(b, repl...)
		} else {
			b = re.ExpandString(b, repl, s, m)
		}
		last = m[1]
		if len(b) > MaxOutput {
			return "", errTooBig
		}
	}
	b = append(b, s[last:]...)
	if len(b) > MaxOutput {
		return "", errTooBig
	}
	return string(b), nil
}
