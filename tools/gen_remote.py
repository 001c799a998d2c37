"""Prints #[uniffi::remote(...)] restatements of core structs/enums, fields only."""
import re, sys
def strip(body):
    out=[]
    for l in body.split("\n"):
        t=l.strip()
        if not t or t.startswith("//") or t.startswith("#["): continue
        out.append("    "+t)
    return "\n".join(out)
def find(src, kind, name):
    m=re.search(r"pub %s %s \{" % (kind, name), src)
    if not m: return None
    i=m.end(); depth=1
    while depth:
        if src[i]=="{": depth+=1
        elif src[i]=="}": depth-=1
        i+=1
    return src[m.end():i-1]
files=sys.argv[1].split(","); names=sys.argv[2].split(",")
src="\n".join(open(f).read() for f in files)
for n in names:
    b=find(src,"struct",n)
    if b is not None:
        print("#[uniffi::remote(Record)]\npub struct %s {\n%s\n}\n" % (n, strip(b))); continue
    b=find(src,"enum",n)
    if b is not None:
        print("#[uniffi::remote(Enum)]\npub enum %s {\n%s\n}\n" % (n, strip(b))); continue
    print("// NOT FOUND: "+n, file=sys.stderr)
