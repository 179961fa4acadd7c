import MeshKit
