import FuzzDriver
import VipdConfig

/// vipd.yaml as `vipd run`, `vipd check` and the import load it: YAML to the validated model.
fuzzMain { input in
    let yaml = String(decoding: input, as: UTF8.self)
    _ = try? ConfigLoader.parse(yaml: yaml, file: "vipd.yaml")
}
